/** Date and time in Indian Standard Time (UTC+05:30, no daylight saving), 24-hour, as section 63's form asks. */
export function istDateTime(unixSeconds: bigint | number): string {
  const ms = Number(unixSeconds) * 1000 + 5.5 * 3600 * 1000;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} IST (UTC+05:30)`;
}

export const utcDateTime = (unixSeconds: bigint | number): string =>
  new Date(Number(unixSeconds) * 1000).toISOString().replace(".000Z", "Z");
