/**
 * Validates rendered objects against the Kubernetes, cert-manager and prometheus-operator models
 * (npm kubernetes-models, @kubernetes-models/*), in two ways:
 *
 * 1. the models' own validators (field types, required fields, formats), and
 * 2. unknown fields, which those validators let through: every object is written into a generated
 *    TypeScript file as a literal assigned to the model's interface (`const o: IDeployment = {...}`),
 *    and the compiler's excess-property check refuses any field the interface does not declare,
 *    at any depth (`selectr`, a probe's `httpGett`, ...). The interfaces are the models' own .d.ts.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../e2e/harness.js';
import type { K8sObject } from './render.js';

/** The module of an object's model, from its apiVersion and kind. */
export function modelModule(o: { apiVersion: string; kind: string }): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  if (group === 'cert-manager.io') return `@kubernetes-models/cert-manager/cert-manager.io/${version}/${o.kind}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}/${o.kind}`;
  return group === '' ? `kubernetes-models/${version}/${o.kind}` : `kubernetes-models/${group}/${version}/${o.kind}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** Type and required-field errors from the model's validator (empty when valid). */
export async function validateWithModel(o: K8sObject): Promise<string[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modelModule(o))) as Record<string, unknown>;
  } catch (err) {
    return [`no model for ${o.apiVersion} ${o.kind}: ${(err as Error).message.split('\n')[0]}`];
  }
  const Model = mod[o.kind] as ModelClass | undefined;
  if (!Model) return [`no model class ${o.kind} in ${modelModule(o)}`];
  try {
    new Model(o).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

/**
 * Unknown fields (and values of the wrong type) in each object, found by TypeScript's
 * excess-property check against the model's interface. Returns one message per problem, naming
 * the object and the field; within one object the compiler reports the first unknown field it
 * meets (fix it and the next one shows).
 */
export function unknownFields(objs: K8sObject[], label = 'objects'): string[] {
  const lines: string[] = [];
  const owners: string[] = [];
  objs.forEach((o, i) => {
    const mod = modelModule(o);
    lines.push(`export const o${i}: import(${JSON.stringify(mod)}).I${o.kind} = ${JSON.stringify(o, null, 1)};`);
    owners.push(`${o.kind}/${o.metadata?.name}`);
  });
  // Line numbers of each object's first line, to name the object an error is in.
  const text = lines.join('\n') + '\n';
  const starts: number[] = [];
  let line = 0;
  for (const l of lines) {
    starts.push(line);
    line += l.split('\n').length;
  }
  // A virtual file (never written) in test/helm, so imports resolve from the project's node_modules.
  const file = join(ROOT, `test/helm/.generated-${label}.ts`);
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => (f === file ? text : readFile(f));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => f === file || fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => (f === file ? ts.createSourceFile(f, text, lang) : getSourceFile(f, lang, onError, create));
  const program = ts.createProgram([file], options, host);
  const problems: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.file?.fileName !== file || d.start === undefined) {
      problems.push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      continue;
    }
    const { line: l } = d.file.getLineAndCharacterOfPosition(d.start);
    let idx = starts.length - 1;
    while (idx > 0 && starts[idx] > l) idx--;
    const msg = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    const snippet = text.split('\n')[l].trim();
    problems.push(`${owners[idx]}: ${msg} (at ${snippet.slice(0, 80)})`);
  }
  return problems;
}
