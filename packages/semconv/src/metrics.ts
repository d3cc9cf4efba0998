/*
 * Metric instrument names and their attribute keys. Defined here, beside the span vocabulary, so that a
 * metric and the span it describes share one spelling of each key.
 */
export {};
