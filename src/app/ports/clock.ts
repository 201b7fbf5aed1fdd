/** The only source of the current time for use cases, so tests can fix it. */
export interface Clock {
  now(): Date;
}
