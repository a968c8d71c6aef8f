/** One page of results and the token of the next page (none on the last page). */
export interface Page<T> {
  items: T[];
  next?: string | undefined;
}

/**
 * Yields every item of a paged AWS listing, page by page, until a page has no next token.
 * A token seen twice ends the listing (some emulators and APIs repeat the last token).
 *
 * @example
 * ```ts
 * for await (const rule of paginate(async (token) => {
 *   const out = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters, NextToken: token }));
 *   return { items: out.SecurityGroupRules ?? [], next: out.NextToken };
 * })) { ... }
 * ```
 */
export async function* paginate<T>(
  fetchPage: (token: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield* page.items;
    token = page.next === '' ? undefined : page.next;
    if (token !== undefined) {
      if (seen.has(token)) return;
      seen.add(token);
    }
  } while (token !== undefined);
}

/** Every item of a paged listing ({@link paginate}) in one array. */
export async function collectAll<T>(
  fetchPage: (token: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const all: T[] = [];
  for await (const item of paginate(fetchPage)) all.push(item);
  return all;
}
