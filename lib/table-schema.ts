/**
 * The single lotledger table's schema: key attributes, global secondary indexes (all string keys, all attributes
 * projected) and the TTL attribute. One definition read by the CDK stack, the local stack's provisioning and the store
 * adapters, so they never drift; how items use these keys is lib/store/table.ts. Depends on nothing.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
  timeToLiveAttribute: 'ttl',
} as const;
