import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCompletion, completionContext, completionItems, scopeSelector, usedLabels } from '../../ui/src/logql/completion.js';

// `¦` in the input marks the cursor.
const at = (q: string): [string, number] => [q.replace('¦', ''), q.indexOf('¦')];

test('completionContext finds label names, label values and stages', () => {
  const f = (q: string, want: string): void => {
    const [text, cur] = at(q);
    const ctx = completionContext(text, cur);
    const got = !ctx ? 'none' : ctx.kind === 'label-value' ? `value ${ctx.label} "${ctx.prefix}" ${ctx.from}-${ctx.to} ${ctx.quoted}` : `${ctx.kind} "${ctx.prefix}" ${ctx.from}-${ctx.to}`;
    assert.equal(got, want, q);
  };
  f('{¦', 'label-name "" 1-1');
  f('{¦}', 'label-name "" 1-1');
  f('{ser¦}', 'label-name "ser" 1-4');
  f('{se¦r}', 'label-name "se" 1-4');
  f('{a="b", ¦}', 'label-name "" 8-8');
  f('{a="b",se¦}', 'label-name "se" 7-9');
  f('{service=¦}', 'value service "" 9-9 false');
  f('{service="¦"}', 'value service "" 9-11 true');
  f('{service="ap¦"}', 'value service "ap" 9-13 true');
  f('{service="ap¦}', 'value service "ap" 9-12 true');
  f('{service!~"a¦"}', 'value service "a" 10-13 true');
  f('{service="api"¦}', 'none');
  f('{service="api"} |¦', 'stage "" 17-17');
  f('{service="api"} | js¦', 'stage "js" 18-20');
  f('{service="api"} |= "x¦"', 'none');
  f('sum(rate({¦', 'label-name "" 10-10');
  f('¦', 'none');
  f('rate¦', 'none');
});

test('completionItems ranks prefix matches first and applyCompletion inserts them', () => {
  const [text, cur] = at('{se¦}');
  const ctx = completionContext(text, cur)!;
  const items = completionItems(ctx, ['env', 'service', 'base', 'severity']);
  assert.deepEqual(items.map((i) => i.label), ['service', 'severity', 'base']);
  assert.deepEqual(applyCompletion(text, ctx, items[0]), { text: '{service=""}', cursor: 10 });

  const [t2, c2] = at('{service="a¦"}');
  const ctx2 = completionContext(t2, c2)!;
  const items2 = completionItems(ctx2, ['api', 'web', 'gateway', 'we"ird']);
  assert.deepEqual(items2.map((i) => i.label), ['api', 'gateway']);
  assert.deepEqual(applyCompletion(t2, ctx2, items2[0]), { text: '{service="api"}', cursor: 14 });

  const [t3, c3] = at('{service=¦}');
  const ctx3 = completionContext(t3, c3)!;
  assert.deepEqual(applyCompletion(t3, ctx3, completionItems(ctx3, ['we"ird'])[0]), { text: '{service="we\\"ird"}', cursor: 18 });

  const [t4, c4] = at('{a="b"} | lo¦');
  const ctx4 = completionContext(t4, c4)!;
  assert.deepEqual(completionItems(ctx4, []).map((i) => i.label), ['logfmt', 'decolorize']);
});

test('scopeSelector keeps the other matchers of the selector being edited', () => {
  const f = (q: string, want: string | undefined): void => {
    const [text, cur] = at(q);
    assert.equal(scopeSelector(text, cur), want, q);
  };
  f('{service="api", env=¦}', '{service="api"}');
  f('{service="api", env="pr¦"}', '{service="api"}');
  f('{env="pr¦", service="api", pod=~"a.*"}', '{service="api", pod=~"a.*"}');
  f('{env!="dev", service=¦}', undefined);
  f('{service="", env=¦}', undefined);
  f('{a="b"} |= "x" ¦', undefined);
  f('sum(rate({a="b"}[1m])) / sum(rate({c="d", e=¦', '{c="d"}');
});

test('usedLabels lists the names matched elsewhere in the selector', () => {
  const f = (q: string, want: string[]): void => {
    const [text, cur] = at(q);
    assert.deepEqual(usedLabels(text, cur), want, q);
  };
  f('{service="api", ¦}', ['service']);
  f('{service="api", en¦, pod!~"x"}', ['service', 'pod']);
  f('{¦}', []);
  f('{a="b"} | json ¦', []);
});
