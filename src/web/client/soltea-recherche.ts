/** SOLTéA search page enhancements. */
export {};
