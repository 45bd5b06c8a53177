/**
 * The keyset of the newest-first lists: rows after the cursor in parameters `$n` (time) and `$n+1` (id), newest
 * first, `LIMIT $n+2`. created_at is compared and ordered to the millisecond: the cursor carries a JS date, which
 * holds no microseconds.
 */
export function newestFirst(createdAt: string, id: string, n: number): string {
  const created = `date_trunc('milliseconds', ${createdAt})`;
  return `($${n}::timestamptz IS NULL OR (${created}, ${id}) < ($${n}::timestamptz, $${n + 1}::text))
      ORDER BY ${created} DESC, ${id} DESC LIMIT $${n + 2}`;
}
