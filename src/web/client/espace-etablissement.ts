/** SOLTéA establishment space enhancements (copy the direct link…). */
export {};
