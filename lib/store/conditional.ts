/**
 * The outcome of a conditional write: true when it went through, false when its condition did not hold (the item
 * exists, another attempt holds the lease...); any other failure is thrown.
 * @example if (!(await written(doc.send(new PutCommand({ ..., ConditionExpression: 'attribute_not_exists(pk)' }))))) ...
 */
export async function written(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}
