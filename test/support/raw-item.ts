import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

/** Write one item as it is, with no condition: for tests that tamper with the table as someone with access could. */
export async function putRawItem(doc: DynamoDBDocumentClient, tableName: string, item: Record<string, unknown>): Promise<void> {
  await doc.send(new PutCommand({ TableName: tableName, Item: item }));
}
