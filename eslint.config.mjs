// ESLint for the web app (browser ES modules) and the Node scripts and browser tests.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    ignores: [
      "web/vendor/**",
      "node_modules/**",
      "build*/**",
      "test-artifacts/**",
      "debian/reel/**",
    ],
  },
  js.configs.recommended,
  {
    files: ["web/**/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser, Hls: "readonly" } },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { sourceType: "module", globals: { ...globals.node } },
  },
  {
    // Browser tests and benches: functions passed to page.evaluate() run in the page.
    files: ["tests/e2e/**", "bench/**/*.mjs"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: "error",
      "prefer-const": "error",
    },
  },
];
