/**
 * Bank holidays in England and Wales, 2021–2027, as GOV.UK publishes them (https://www.gov.uk/bank-holidays,
 * machine-readable at https://www.gov.uk/bank-holidays.json, division "england-and-wales"), transcribed by hand:
 * nothing is fetched at run time, and the dates were cross-checked against public copies of that list, not
 * against gov.uk itself, which this workplace cannot reach. Substitute days are included (a holiday on a weekend moves to the next weekday: 27–28 Dec 2021,
 * 2 Jan 2023, 28 Dec 2026, 27–28 Dec 2027). Extra one-off holidays are included too (3 Jun 2022 Platinum Jubilee,
 * 19 Sep 2022 State Funeral, 8 May 2023 Coronation; 2 Jun 2022 replaced the Spring holiday of the last Monday of May).
 *
 * The UK ETS transaction window excludes "bank holidays in England and Wales" (the registry's
 * `transaction-hours` guidance); the registry keeps its own holiday table (`HolidayRepository`), whose contents
 * are not published. This table is the simulator's default (`bankHolidays` option): years outside it have no
 * holidays, so pass a longer list to simulate them.
 */
export const ENGLAND_AND_WALES_BANK_HOLIDAYS: readonly string[] = [
  // 2021
  "2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28",
  // 2022
  "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27",
  // 2023
  "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26",
  // 2024
  "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26",
  // 2025
  "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
  // 2026
  "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
  // 2027
  "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
];
