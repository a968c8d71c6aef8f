// The value the global setup provides to test files; declared once, imported wherever
// `provide`/`inject` touch it so every package that uses the test kit type-checks.
declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

export {};
