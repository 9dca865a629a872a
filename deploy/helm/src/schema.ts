/**
 * The chart's values.schema.json, written as code: every value with its type and description, and
 * `additionalProperties: false` on every object, so Helm refuses a misspelt key or a wrong type at
 * install time. `config` (LogSentinel's own options) is derived from src/config/schema.ts, minus
 * the options the chart sets itself. build.ts writes the schema and the README's table of values.
 */
import { OPTIONS, type OptionSpec } from '../../../src/config/schema.js';

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: JsonSchema;
  enum?: Array<string | number | boolean>;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  minLength?: number;
  oneOf?: JsonSchema[];
  $schema?: string;
  title?: string;
}

const str = (description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'string', description, ...extra });
const int = (description: string, minimum = 0, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'integer', description, minimum, ...extra });
const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
const obj = (description: string, properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', description, properties, additionalProperties: false });
/** A free map of strings (labels, annotations, parameters): keys are the user's, values strings. */
const stringMap = (description: string): JsonSchema => ({ type: 'object', description, additionalProperties: { type: 'string' } });
const strings = (description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'array', description, items: { type: 'string', ...extra } });

const QUANTITY = '^([0-9]+(\\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|M|G|T|P)?)$';
const quantity = (description: string): JsonSchema => ({ type: ['string', 'integer'], description, pattern: QUANTITY });
const size = (description: string): JsonSchema => str(description, { pattern: '^[0-9]+(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$' });

const resources = (what: string): JsonSchema =>
  obj(`CPU and memory of ${what}`, {
    requests: obj('requests', { cpu: quantity('CPU request'), memory: quantity('memory request') }),
    limits: obj('limits', { cpu: quantity('CPU limit'), memory: quantity('memory limit') }),
  });

const image = (what: string, withPolicy = true): JsonSchema =>
  obj(`image of ${what}`, {
    repository: str('image repository'),
    tag: str('image tag'),
    ...(withPolicy ? { pullPolicy: str('pull policy', { enum: ['Always', 'IfNotPresent', 'Never'] }) } : {}),
  });

const persistence = (what: string, optional: boolean): JsonSchema =>
  obj(`volume of ${what}`, {
    ...(optional ? { enabled: bool('give each pod a volume claim (else an emptyDir)') } : {}),
    size: size('requested size'),
    storageClassName: str('StorageClass; empty: the cluster default'),
  });

const autoscaling = (what: string): JsonSchema =>
  obj(`HorizontalPodAutoscaler (autoscaling/v2) of ${what}`, {
    enabled: bool('scale on CPU; replicas is then ignored'),
    minReplicas: int('fewest replicas', 1),
    maxReplicas: int('most replicas', 1),
    targetCPUUtilizationPercentage: int('average CPU utilisation aimed at, percent of the request', 1, { maximum: 100 }),
  });

const selectorPeer = (what: string): JsonSchema =>
  obj(`where ${what} runs`, {
    namespaceSelector: obj('namespace selector', { matchLabels: stringMap('namespace labels') }),
    podSelector: obj('pod selector', { matchLabels: stringMap('pod labels') }),
  });

/** Options the chart sets itself (env or the credentials Secret): refused under `config`. */
export const CHART_MANAGED_OPTIONS = new Set([
  'server.host',
  'server.port',
  'server.shutdownTimeout',
  'dataDir',
  'storage.postgres.url',
  'queue.redis.url',
  'queue.redis.consumerName',
  'alerting.alertmanagerUrls',
  'alerting.slackWebhookUrl',
  'alerting.webhookUrls',
  'auth.adminPassword',
  'auth.adminToken',
]);

function optionSchema(o: OptionSpec): JsonSchema {
  const description = o.doc;
  switch (o.type) {
    case 'string':
      return str(description);
    case 'int':
      return { type: 'integer', description };
    case 'number':
      return { type: 'number', description };
    case 'bool':
      return bool(description);
    case 'duration':
      return { type: ['string', 'integer'], description, pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h|d|w|y))+$|^0$' };
    case 'bytes':
      return { type: ['string', 'integer'], description, pattern: '^[0-9]+(\\.[0-9]+)?\\s*([KMGT]i?B|B)?$' };
    case 'list':
      return { type: ['array', 'string'], description, items: { type: 'string' } };
  }
}

/** LogSentinel's options as nested objects, from src/config/schema.ts. */
export function configSchema(): JsonSchema {
  const root = obj("LogSentinel's options (docs/configuration.md), written to the ConfigMap's logsentinel.yaml; the ones the chart sets itself are refused", {});
  for (const o of OPTIONS) {
    if (CHART_MANAGED_OPTIONS.has(o.path)) continue;
    const parts = o.path.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      node.properties![p] ??= obj(`options under ${p}`, {});
      node = node.properties![p];
    }
    node.properties![parts[parts.length - 1]] = optionSchema(o);
  }
  return root;
}

export function valuesSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'LogSentinel chart values',
    type: 'object',
    additionalProperties: false,
    properties: {
      mode: str('single: one StatefulSet running `serve` with the embedded store; cluster: ingest, process, query and ruler over Redis and PostgreSQL', { enum: ['single', 'cluster'] }),
      nameOverride: str('replaces the chart name in resource names'),
      fullnameOverride: str('replaces `<release>-<chart>` in resource names'),
      commonLabels: stringMap('labels added to every resource'),
      image: image('LogSentinel (every role, the log agents); tag empty: the chart appVersion'),
      imagePullSecrets: { type: 'array', description: 'pull secrets of every pod', items: obj('a pull secret', { name: str('Secret name') }) },
      config: configSchema(),
      shutdown: obj('graceful stop; terminationGracePeriodSeconds must exceed preStopSleepSeconds + timeoutSeconds', {
        preStopSleepSeconds: int('preStop wait while endpoints drop the pod', 0),
        timeoutSeconds: int('server.shutdownTimeout: the longest drain', 1),
        terminationGracePeriodSeconds: int('grace period of LogSentinel pods', 1),
      }),
      auth: obj('authentication (docs/specs/auth.md)', {
        enabled: bool('auth.enabled: every API needs a credential'),
        adminPassword: str("the admin user's password; empty: generated once and kept in the credentials Secret"),
        adminToken: str('an admin API token (`lst_<id>_<secret>`); empty: generated once and kept'),
      }),
      secrets: obj('the credentials Secret', {
        existingSecret: str('use this Secret (keys: admin-password, admin-token, postgres-password, postgres-url, redis-password, redis-url, and slack-webhook-url, webhook-urls when used) instead of generating one'),
      }),
      alerting: obj('notifications', {
        alertmanagerUrls: strings('Alertmanager base URLs (alerting.alertmanagerUrls)'),
        slackWebhookUrl: str('Slack incoming-webhook URL; stored in the Secret'),
        webhookUrls: strings('webhook URLs; stored in the Secret'),
        existingSecretHasSlack: bool('secrets.existingSecret holds slack-webhook-url'),
        existingSecretHasWebhooks: bool('secrets.existingSecret holds webhook-urls'),
      }),
      podAnnotations: stringMap('annotations of LogSentinel pods'),
      podLabels: stringMap('labels of LogSentinel pods'),
      nodeSelector: stringMap('node selector of every pod'),
      tolerations: {
        type: 'array',
        description: 'tolerations of every pod',
        items: obj('a toleration', {
          key: str('taint key'),
          operator: str('Exists or Equal', { enum: ['Exists', 'Equal'] }),
          value: str('taint value'),
          effect: str('taint effect', { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute', ''] }),
          tolerationSeconds: int('for NoExecute'),
        }),
      },
      priorityClassName: str('priority class of every pod'),
      topologySpread: obj('spread the replicas of each role over nodes', {
        enabled: bool('add topologySpreadConstraints on kubernetes.io/hostname'),
        maxSkew: int('largest difference in pods per node', 1),
        whenUnsatisfiable: str('ScheduleAnyway (one-node clusters still schedule) or DoNotSchedule', { enum: ['ScheduleAnyway', 'DoNotSchedule'] }),
      }),
      probes: obj('probes of LogSentinel pods (startup and liveness: /health/liveness; readiness: /health/readiness)', {
        startup: obj('startup probe', { periodSeconds: int('period', 1), failureThreshold: int('failures before a restart', 1) }),
        liveness: obj('liveness probe', { periodSeconds: int('period', 1), failureThreshold: int('failures before a restart', 1) }),
        readiness: obj('readiness probe', { periodSeconds: int('period', 1), failureThreshold: int('failures before not ready', 1) }),
      }),
      single: obj('mode single', { resources: resources('the serve pod'), persistence: persistence('the embedded store', false) }),
      ingest: obj('mode cluster: ingest (Deployment)', { replicas: int('replicas without autoscaling', 1), autoscaling: autoscaling('ingest'), resources: resources('an ingest pod') }),
      process: obj('mode cluster: process (StatefulSet; pod names are consumer names)', {
        replicas: int('replicas', 1),
        resources: resources('a process pod'),
        persistence: persistence('a process pod', true),
      }),
      query: obj('mode cluster: query (Deployment; serves the web UI)', { replicas: int('replicas without autoscaling', 1), autoscaling: autoscaling('query'), resources: resources('a query pod') }),
      ruler: obj('mode cluster: ruler (Deployment; one Redis lease)', { replicas: int('replicas', 1), resources: resources('a ruler pod') }),
      redis: obj('the bundled Redis (StatefulSet, append-only, fsync always)', {
        enabled: bool('run it; false: externalRedis.url'),
        image: image('Redis'),
        resources: resources('Redis'),
        persistence: persistence('Redis', false),
      }),
      externalRedis: obj('a Redis of your own (redis.enabled=false)', {
        url: str('redis:// or rediss:// URL, with its password; stored in the Secret'),
        cidr: str('addresses the network policies let the pods reach it at'),
        port: int('its port', 1, { maximum: 65535 }),
      }),
      postgresql: obj('the bundled PostgreSQL (StatefulSet, TimescaleDB image)', {
        enabled: bool('run it; false: externalDatabase.url'),
        image: image('PostgreSQL'),
        runAsUser: int("uid (and gid) of the image's postgres user", 1),
        database: str('database name'),
        username: str('user name'),
        resources: resources('PostgreSQL'),
        persistence: persistence('PostgreSQL', false),
        storageClass: obj('a StorageClass for its volume (volumeBindingMode WaitForFirstConsumer)', {
          create: bool('create it (and use it unless persistence.storageClassName says otherwise)'),
          provisioner: str("the cluster's CSI provisioner"),
          reclaimPolicy: str('Retain or Delete', { enum: ['Retain', 'Delete'] }),
          allowVolumeExpansion: bool('volumes can grow'),
          parameters: stringMap('provisioner parameters'),
        }),
      }),
      externalDatabase: obj('a PostgreSQL of your own (postgresql.enabled=false)', {
        url: str('postgres:// URL, with its password; stored in the Secret'),
        cidr: str('addresses the network policies let the pods reach it at'),
        port: int('its port', 1, { maximum: 65535 }),
      }),
      ingress: obj('the Ingress (ingress-nginx regular-expression paths, as deploy/compose/cluster/gateway.conf routes)', {
        enabled: bool('create it'),
        className: str('ingressClassName'),
        host: str('host name of the web UI and APIs', { minLength: 1 }),
        ingestHost: str('optional host where every path goes to ingest (Elasticsearch shippers)'),
        annotations: stringMap('extra annotations'),
        tls: obj('TLS', { enabled: bool('serve TLS'), secretName: str('certificate Secret; empty: `<fullname>-tls`') }),
      }),
      certManager: obj('the Certificate (cert-manager)', {
        enabled: bool('create a Certificate for the Ingress'),
        issuerRef: obj('issuer; name empty: a self-signed Issuer made by the chart', {
          name: str('Issuer or ClusterIssuer name'),
          kind: str('Issuer or ClusterIssuer', { enum: ['Issuer', 'ClusterIssuer'] }),
          group: str('API group of the issuer'),
        }),
      }),
      networkPolicy: obj('NetworkPolicies: deny by default, allow the flows of the design', {
        enabled: bool('create them'),
        ingressController: selectorPeer('the ingress controller'),
        prometheus: selectorPeer('Prometheus'),
        grafana: selectorPeer('Grafana'),
        alertmanager: obj('where Alertmanager runs', {
          namespaceSelector: obj('namespace selector', { matchLabels: stringMap('namespace labels') }),
          podSelector: obj('pod selector', { matchLabels: stringMap('pod labels') }),
          port: int('its port', 1, { maximum: 65535 }),
        }),
        dns: selectorPeer('cluster DNS'),
        notifierCidrs: strings('destinations of Slack and webhook notifications (port 443), when configured'),
      }),
      monitoring: obj('Prometheus Operator and Grafana objects', {
        serviceMonitor: obj('a ServiceMonitor per role', { enabled: bool('create them'), interval: str('scrape interval'), labels: stringMap("labels your Prometheus' serviceMonitorSelector wants") }),
        prometheusRule: obj('the alerting rules of deploy/prometheus/rules', { enabled: bool('create the PrometheusRule'), labels: stringMap("labels your Prometheus' ruleSelector wants") }),
        grafana: obj("Grafana's sidecars", {
          dashboards: obj('the dashboards of deploy/grafana/dashboards as ConfigMaps', {
            enabled: bool('create them'),
            label: str("label the dashboard sidecar looks for"),
            labelValue: str('its value'),
            folder: str('Grafana folder (grafana_folder annotation)'),
          }),
          datasource: obj('LogSentinel as a Loki data source (uid logsentinel)', {
            enabled: bool('create it'),
            label: str('label the data source sidecar looks for'),
            labelValue: str('its value'),
          }),
        }),
      }),
      collector: obj('a Fluent Bit DaemonSet sending every pod\'s logs to LogSentinel (needs hostPath: not the restricted profile)', {
        enabled: bool('run it'),
        image: image('Fluent Bit'),
        tenant: str('tenant the logs are pushed for (basic-auth user)'),
        tokenSecret: obj('Secret and key of a logs:write token; name empty: the admin token', { name: str('Secret name'), key: str('key') }),
        resources: resources('a collector pod'),
      }),
      backup: obj('mode cluster with the bundled or an external PostgreSQL: pg_dump CronJob', {
        enabled: bool('run it'),
        schedule: str('cron schedule'),
        keep: int('dumps kept', 1),
        image: obj('PostgreSQL client image (pg_dump at least the server version); empty: postgresql.image', {
          repository: str('image repository'),
          tag: str('image tag'),
          runAsUser: int('uid of that image', 1),
        }),
        persistence: obj('the backup volume (kept on uninstall)', { size: size('requested size'), storageClassName: str('StorageClass; empty: the cluster default') }),
        resources: resources('a backup pod'),
        restore: obj('a Job restoring a dump (scale process, query and ruler to 0 first)', { enabled: bool('create the Job'), file: str('dump file name on the backup volume') }),
      }),
      demo: obj('the demo API, its traffic and synthetic log agents', {
        enabled: bool('run them'),
        api: obj('the demo API (examples/demo-api)', { image: image('the demo API'), rps: int('requests/s of its traffic client', 1) }),
        logAgents: obj('`logsentinel loadgen --duration=0` agents', { replicas: int('agents', 1), rate: int('lines/s of each', 1), batch: int('lines per push', 1) }),
        resources: resources('each demo pod'),
      }),
    },
  };
}
