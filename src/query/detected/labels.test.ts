import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectLabels, isIdValue, shouldRejectLabel, type DetectedLabel } from './labels.js';
import type { Labels } from '../../model/labels.js';

describe('detected labels (Loki shouldRejectLabel and static labels)', () => {
  const f = (streams: Labels[], want: DetectedLabel[]): void => {
    assert.deepEqual(detectLabels(streams), want);
  };

  it('counts distinct values per label, sorted by name', () => {
    f(
      [
        { app: 'api', env: 'prod' },
        { app: 'web', env: 'prod' },
        { app: 'db', env: 'dev', detected_level: 'info' },
      ],
      [
        { label: 'app', cardinality: 3 },
        { label: 'detected_level', cardinality: 1 },
        { label: 'env', cardinality: 2 },
      ],
    );
  });

  it('drops labels whose values are all IDs, keeps 0/1 booleans and static labels', () => {
    f(
      [
        { app: 'a', pod: '1', req: '7', uuid: '0b5c2f5e-3f1a-4c3e-9d7e-1a2b3c4d5e6f', flag: '0' },
        { app: 'a', pod: '2', req: '8', uuid: '1b5c2f5e-3f1a-4c3e-9d7e-1a2b3c4d5e6f', flag: '1' },
        { app: 'a', pod: '3', req: '9', uuid: '2b5c2f5e-3f1a-4c3e-9d7e-1a2b3c4d5e6f', flag: '1' },
      ],
      [
        { label: 'app', cardinality: 1 },
        { label: 'flag', cardinality: 2 },
        { label: 'pod', cardinality: 3 },
      ],
    );
  });

  it('keeps a label with at least one non-ID value', () => {
    f([{ port: '80' }, { port: '443' }, { port: 'http' }], [{ label: 'port', cardinality: 3 }]);
  });

  it('no streams, no labels', () => {
    f([], []);
  });

  it('shouldRejectLabel and isIdValue', () => {
    assert.equal(shouldRejectLabel([]), true);
    assert.equal(shouldRejectLabel(['0', '1']), false);
    assert.equal(shouldRejectLabel(['1']), false);
    assert.equal(shouldRejectLabel(['2']), true);
    assert.equal(shouldRejectLabel(['1.5', 'NaN', '3']), true);
    assert.equal(shouldRejectLabel(['a']), false);
    assert.equal(isIdValue('{0b5c2f5e-3f1a-4c3e-9d7e-1a2b3c4d5e6f}'), true);
    assert.equal(isIdValue('urn:uuid:0b5c2f5e-3f1a-4c3e-9d7e-1a2b3c4d5e6f'), true);
    assert.equal(isIdValue('0b5c2f5e3f1a4c3e9d7e1a2b3c4d5e6f'), true);
    assert.equal(isIdValue('0b5c2f5e-3f1a-4c3e-9d7e-1a2b3c4d5e6'), false);
  });
});
