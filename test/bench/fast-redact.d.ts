/** Minimal types for fast-redact 3.5 (it ships none), covering what the benchmarks use. */
declare module 'fast-redact' {
  namespace fastRedact {
    interface RedactOptions {
      /** Paths to redact, dot / bracket notation, `*` wildcards. */
      paths?: string[];
      /** The replacement value, or a function of the value (and of its path when it takes two arguments). */
      censor?: unknown;
      /** Drop redacted keys (only with the default `JSON.stringify` serializer). */
      remove?: boolean;
      /** A serializer, or `false` to return the mutated object itself. */
      serialize?: false | ((o: unknown) => unknown);
      /** Throw on primitives (default `true`). */
      strict?: boolean;
    }
    /** Redacts `o` in place; with `serialize: false` returns `o` itself (still redacted). */
    interface Redactor {
      (o: unknown): unknown;
      /** Only with `serialize: false`: puts the original values back on `o`. */
      restore(o: unknown): unknown;
    }
  }
  function fastRedact(options?: fastRedact.RedactOptions): fastRedact.Redactor;
  export = fastRedact;
}
