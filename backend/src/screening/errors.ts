import { BaseError, ValidationError } from "../errors";

/**
 * Errors of the screening module. A list that cannot be read says which file and line; a list that cannot be
 * fetched says whether trying again can help (a timeout or a 5xx can, a 404 or a missing required file cannot).
 */

/** A publisher's file did not parse. Not retryable: the same bytes fail the same way. */
export class ListParseError extends BaseError {
  override name = "ListParseError";
  constructor(list: string, file: string, message: string, line?: number) {
    super(`${list}: ${file}${line === undefined ? "" : ` line ${line}`}: ${message}`, {
      code: "SCREENING_LIST_PARSE",
      retryable: false,
      details: { list, file, line },
    });
  }
}

/** A list's files could not be fetched. `retryable` when the publisher or the network may answer later. */
export class ListFetchError extends BaseError {
  override name = "ListFetchError";
  constructor(list: string, message: string, retryable: boolean, cause?: unknown) {
    super(`${list}: ${message}`, { code: "SCREENING_LIST_FETCH", retryable, details: { list }, cause });
  }
}

/** Bad screening input (a name, type, date, country, identifier or wallet); names the field. */
export class ScreeningInputError extends ValidationError {
  override name = "ScreeningInputError";
}
