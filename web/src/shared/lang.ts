/** The two languages of the pages; a file of its own so plain .ts modules (format.ts) need no JSX. */
export type Lang = 'ko' | 'en';
