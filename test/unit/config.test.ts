import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeDeps, need } from '../../functions/deps.js';
import { ConfigError, loadConfig, loadLocalConfig, required } from '../../lib/config.js';
import { documentClient } from '../../lib/store/document-client.js';
import { testClients } from '../support/deps.js';

const doc = documentClient(new DynamoDBClient({ region: 'us-east-1' }));

describe('loadConfig', () => {
  it('applies the defaults of the tuning keys and leaves unset resources out', () => {
    const c = loadConfig({ TABLE_NAME: 't' });
    expect(c).toEqual({
      TABLE_NAME: 't',
      SSCC_EXTENSION_DIGIT: '0',
      DIGITAL_LINK_BASE_URL: 'https://id.gs1.org',
      RECALL_FOLLOW_UP_HOURS: 24,
      QA_DEFECT_RATE: 0.02,
      QA_MIN_DEFECT_RETURNS: 3,
    });
  });

  it('takes the follow-up hours it is given, fractions included', () => {
    expect(loadConfig({ TABLE_NAME: 't', RECALL_FOLLOW_UP_HOURS: '48' }).RECALL_FOLLOW_UP_HOURS).toBe(48);
    expect(loadConfig({ TABLE_NAME: 't', RECALL_FOLLOW_UP_HOURS: '0.5' }).RECALL_FOLLOW_UP_HOURS).toBe(0.5);
  });

  it.each(['soon', '-1', '', 'NaN'])('fails the boot naming RECALL_FOLLOW_UP_HOURS for %j instead of using 24', (bad) => {
    expect(() => loadConfig({ TABLE_NAME: 't', RECALL_FOLLOW_UP_HOURS: bad })).toThrow(/RECALL_FOLLOW_UP_HOURS: must be a number of hours/);
  });

  it('names every bad or missing key at once', () => {
    const e = (() => {
      try {
        loadConfig({ RECALL_TOPIC_ARN: 'topic', EXPORT_QUEUE_URL: 'queue', QA_DEFECT_RATE: '200%' });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues.map((i) => i.key).sort()).toEqual(['EXPORT_QUEUE_URL', 'QA_DEFECT_RATE', 'RECALL_TOPIC_ARN', 'TABLE_NAME']);
  });

  it('says which resource key is required when a caller needs one that is unset', () => {
    expect(() => required(loadConfig({ TABLE_NAME: 't' }), 'EXPORT_QUEUE_URL')).toThrow(
      'lotledger configuration is invalid: EXPORT_QUEUE_URL: is required',
    );
    expect(required(loadConfig({ TABLE_NAME: 't', EXPORT_BUCKET: 'b' }), 'EXPORT_BUCKET')).toBe('b');
  });
});

describe('makeDeps', () => {
  it('builds the optional parts only when their setting is set, and need() names the missing setting', () => {
    const bare = makeDeps(testClients(doc), loadConfig({ TABLE_NAME: 't' }));
    expect(bare.exportFiles).toBeUndefined();
    expect(() => need(bare, 'exportFiles', 'ingestFiles')).toThrow(/EXPORT_BUCKET: is required; INGEST_BUCKET: is required/);
    const full = makeDeps(testClients(doc), loadConfig({ TABLE_NAME: 't', EXPORT_BUCKET: 'b', RECALL_FOLLOW_UP_HOURS: '6', QA_DEFECT_RATE: '5%' }));
    expect(need(full, 'exportFiles').exportFiles.bucket).toBe('b');
    expect(full).toMatchObject({ tableName: 't', followUpHours: 6, qa: { defectRate: 0.05, minDefectReturns: 3 } });
  });
});

describe('loadLocalConfig (npm start)', () => {
  it('applies its defaults', () => {
    expect(loadLocalConfig({})).toEqual({
      PORT: 3000,
      LOTLEDGER_DATA_DIR: '.lotledger',
      LOTLEDGER_DEMO: false,
      LOTLEDGER_VERBOSE: false,
      LOTLEDGER_LOG_LEVEL: 'WARN',
    });
    expect(loadLocalConfig({ PORT: '0', LOTLEDGER_DEMO: '1', LOTLEDGER_LOG_LEVEL: 'debug' })).toMatchObject({
      PORT: 0,
      LOTLEDGER_DEMO: true,
      LOTLEDGER_LOG_LEVEL: 'DEBUG',
    });
  });

  it('names the bad key', () => {
    expect(() => loadLocalConfig({ PORT: '70000' })).toThrow(/PORT: must be a port number/);
    expect(() => loadLocalConfig({ LOTLEDGER_LOG_LEVEL: 'loud' })).toThrow(/LOTLEDGER_LOG_LEVEL/);
  });
});
