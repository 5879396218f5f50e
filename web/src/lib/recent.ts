/**
 * What this browser started (recalls, exports): the API has no route that lists recalls or exports, so the console
 * remembers their ids in localStorage to offer them again. Anything else is opened by its id.
 */
export type Recent = { id: string; label: string; at: string };

export function recent(kind: 'recalls' | 'exports'): Recent[] {
  try {
    const v = JSON.parse(localStorage.getItem(`lotledger.recent.${kind}`) ?? '[]') as unknown;
    return Array.isArray(v) ? (v.filter((r) => r && typeof r.id === 'string') as Recent[]) : [];
  } catch {
    return [];
  }
}

export function remember(kind: 'recalls' | 'exports', r: Recent): void {
  const list = [r, ...recent(kind).filter((x) => x.id !== r.id)].slice(0, 50);
  try {
    localStorage.setItem(`lotledger.recent.${kind}`, JSON.stringify(list));
  } catch {
    // storage full or disabled: the id is still in the address bar
  }
}
