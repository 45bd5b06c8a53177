/**
 * The structure check (`npm run lint`; test/backend/architecture.test.ts): reads every TypeScript file of
 * `backend/src` with the TypeScript compiler and reports
 *
 * - an import (static, `import()`, `require`, type-only too) of a module in a higher layer or of a peer in its own
 *   layer (`LAYERS` in backend/architecture.ts);
 * - an SQL write (INSERT INTO, UPDATE, DELETE FROM, COPY) in a string or template of a module that does not own the
 *   table (`TABLE_OWNERS`), and a table of the migrations that has no entry there;
 * - a lowercase SQL keyword in a statement passed to `.query(` (the backend writes keywords in capitals);
 * - an error class declared outside an `errors.ts`;
 * - a file or folder name that is not camelCase, and a migration number out of sequence (`MIGRATION_GAPS` aside).
 *
 * `checkArchitecture(root, rules)` takes the rules as a parameter so the test can run it on fixtures.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { LAYERS, MIGRATION_GAPS, NAMING_EXCEPTIONS, TABLE_OWNERS } from "../architecture";

export type ArchitectureRules = {
  layers: readonly (readonly string[])[];
  owners: Readonly<Record<string, string | null>>;
  migrationGaps: Readonly<Record<string, string>>;
  namingExceptions: readonly string[];
};

export const REPOSITORY_RULES: ArchitectureRules = {
  layers: LAYERS,
  owners: TABLE_OWNERS,
  migrationGaps: MIGRATION_GAPS,
  namingExceptions: NAMING_EXCEPTIONS,
};

export type Violation = {
  rule: "layer" | "owner" | "sql-case" | "error-class" | "naming" | "migration";
  file: string;
  message: string;
};

/** Where the source lives under `root` (a repository, or a fixture folder shaped like one). */
const SOURCE = path.join("backend", "src");
const MIGRATIONS = path.join(SOURCE, "db", "migrations");
/** Folders whose file and folder names the camelCase rule covers. */
const NAMED_FOLDERS = ["backend", "test", "bench"];

const WRITE = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+([A-Za-z_][A-Za-z0-9_]*)/gi;
const LOWERCASE_KEYWORDS =
  /\b(select|insert|update|delete|from|where|values|returning|join|into|set|and|or|not|null|order|group|limit|having|union|distinct|exists|case|when|then|else|end|with|as|on|conflict|do|nothing|is|in|by|begin|commit|rollback)\b/;

function walk(dir: string, keep: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, keep));
    else if (keep(full)) out.push(full);
  }
  return out;
}

/** The module of a file under `backend/src`: its first folder, or the file's name for a file at the root. */
function moduleOf(relative: string): string {
  const parts = relative.split(path.sep);
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, "") : parts[0]!;
}

function layerIndex(rules: ArchitectureRules): Map<string, number> {
  return new Map(rules.layers.flatMap((layer, index) => layer.map((name): [string, number] => [name, index])));
}

/** Every module specifier of a source file: import / export from, `import()`, `require()`. */
function specifiersOf(file: ts.SourceFile): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  const add = (node: ts.Node) => {
    if (ts.isStringLiteral(node))
      out.push({ text: node.text, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined)
      add(node.moduleSpecifier);
    if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    ) {
      if (node.arguments[0] !== undefined) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** The text of every string and template literal (template spans joined with a placeholder). */
function literalsOf(file: ts.SourceFile): Array<{ text: string; line: number; query: boolean }> {
  const out: Array<{ text: string; line: number; query: boolean }> = [];
  const lineOf = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const isQueryArgument = (node: ts.Node) =>
    ts.isCallExpression(node.parent) &&
    node.parent.arguments[0] === node &&
    ts.isPropertyAccessExpression(node.parent.expression) &&
    node.parent.expression.name.text === "query";
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      out.push({ text: node.text, line: lineOf(node), query: isQueryArgument(node) });
    } else if (ts.isTemplateExpression(node)) {
      const text = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(" ${} ");
      out.push({ text, line: lineOf(node), query: isQueryArgument(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

function errorClassesOf(file: ts.SourceFile): Array<{ name: string; line: number }> {
  const out: Array<{ name: string; line: number }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isClassDeclaration(node) && node.heritageClauses !== undefined) {
      const extendsError = node.heritageClauses.some((clause) =>
        clause.types.some((type) => /Error$/.test(type.expression.getText(file))),
      );
      if (extendsError)
        out.push({
          name: node.name?.text ?? "(anonymous)",
          line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1,
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

function checkImports(root: string, relative: string, file: ts.SourceFile, layers: Map<string, number>): Violation[] {
  const here = moduleOf(relative);
  const mine = layers.get(here);
  const shown = path.join(SOURCE, relative);
  if (mine === undefined)
    return [{ rule: "layer", file: shown, message: `module ${here} is in no layer of backend/architecture.ts` }];
  const out: Violation[] = [];
  for (const { text, line } of specifiersOf(file)) {
    if (!text.startsWith(".")) continue;
    const target = path.relative(path.join(root, SOURCE), path.resolve(path.dirname(path.join(root, SOURCE, relative)), text));
    if (target.startsWith("..")) continue;
    const other = moduleOf(target === "" ? "index.ts" : target);
    if (other === here) continue;
    const theirs = layers.get(other);
    if (theirs === undefined || theirs > mine) continue;
    const why = theirs === mine ? "a peer in its own layer" : "a module of a higher layer";
    out.push({ rule: "layer", file: `${shown}:${line}`, message: `${here} imports ${other} (${text}), ${why}` });
  }
  return out;
}

function checkWrites(relative: string, file: ts.SourceFile, rules: ArchitectureRules): Violation[] {
  const here = moduleOf(relative);
  const out: Violation[] = [];
  for (const { text, line, query } of literalsOf(file)) {
    for (const match of text.matchAll(WRITE)) {
      const table = match[2]!.toLowerCase();
      if (!(table in rules.owners)) continue;
      const owner = rules.owners[table];
      if (owner === here) continue;
      const who = owner === null ? "no module (the table is written by nobody)" : owner;
      out.push({
        rule: "owner",
        file: `${path.join(SOURCE, relative)}:${line}`,
        message: `${here} writes ${table}, which ${who} owns: call the owner`,
      });
    }
    if (query && /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|COPY|CREATE|DROP|ALTER|LISTEN|UNLISTEN|BEGIN|select|insert|update|delete|with|create)\b/.test(text)) {
      const bare = text.replace(/'[^']*'/g, "''").replace(/"[^"]*"/g, '""');
      const lower = LOWERCASE_KEYWORDS.exec(bare);
      if (lower !== null)
        out.push({
          rule: "sql-case",
          file: `${path.join(SOURCE, relative)}:${line}`,
          message: `SQL keyword "${lower[1]}" in lower case`,
        });
    }
  }
  return out;
}

function checkErrorClasses(relative: string, file: ts.SourceFile): Violation[] {
  if (path.basename(relative) === "errors.ts") return [];
  return errorClassesOf(file).map(({ name, line }) => ({
    rule: "error-class" as const,
    file: `${path.join(SOURCE, relative)}:${line}`,
    message: `error class ${name} outside an errors.ts (a module's errors live in its errors.ts)`,
  }));
}

function checkTables(root: string, rules: ArchitectureRules): Violation[] {
  const out: Violation[] = [];
  for (const migration of walk(path.join(root, MIGRATIONS), (f) => f.endsWith(".sql"))) {
    for (const match of fs.readFileSync(migration, "utf8").matchAll(/CREATE TABLE\s+(?:IF NOT EXISTS\s+)?([a-z_][a-z0-9_]*)/gi)) {
      if (!(match[1]!.toLowerCase() in rules.owners)) {
        out.push({
          rule: "owner",
          file: path.relative(root, migration),
          message: `table ${match[1]} has no owner in backend/architecture.ts`,
        });
      }
    }
  }
  return out;
}

function checkMigrationNumbers(root: string, rules: ArchitectureRules): Violation[] {
  const names = walk(path.join(root, MIGRATIONS), (f) => f.endsWith(".sql")).map((f) => path.basename(f)).sort();
  const out: Violation[] = [];
  let expected = 1;
  for (const name of names) {
    const match = /^(\d{4})_[a-z0-9_-]+\.sql$/.exec(name);
    if (match === null) {
      out.push({ rule: "migration", file: path.join(MIGRATIONS, name), message: "expected <4-digit number>_<name>.sql" });
      continue;
    }
    while (String(expected).padStart(4, "0") in rules.migrationGaps) expected += 1;
    const number = Number(match[1]);
    if (number !== expected) {
      out.push({
        rule: "migration",
        file: path.join(MIGRATIONS, name),
        message: `numbered ${match[1]}, the next number is ${String(expected).padStart(4, "0")}`,
      });
    }
    expected = number + 1;
  }
  return out;
}

function checkNames(root: string, rules: ArchitectureRules): Violation[] {
  const out: Violation[] = [];
  const exempt = (relative: string) =>
    rules.namingExceptions.some((folder) => relative === folder || relative.startsWith(`${folder}/`));
  const visit = (relative: string) => {
    const full = path.join(root, relative);
    if (!fs.existsSync(full)) return;
    for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const child = path.join(relative, entry.name);
      if (exempt(child)) continue;
      if (entry.isDirectory()) {
        if (!/^[a-z][A-Za-z0-9]*$/.test(entry.name)) out.push({ rule: "naming", file: child, message: "folder name not camelCase" });
        visit(child);
      } else if (/\.ts$/.test(entry.name) && !/^[a-z][A-Za-z0-9]*(\.[a-z]+)*\.ts$/.test(entry.name)) {
        out.push({ rule: "naming", file: child, message: "file name not camelCase" });
      }
    }
  };
  for (const folder of NAMED_FOLDERS) visit(folder);
  return out;
}

/** Every violation of `rules` in the repository (or fixture folder) at `root`. */
export function checkArchitecture(root: string, rules: ArchitectureRules = REPOSITORY_RULES): Violation[] {
  const layers = layerIndex(rules);
  const violations: Violation[] = [];
  const sourceRoot = path.join(root, SOURCE);
  for (const full of walk(sourceRoot, (f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))) {
    const relative = path.relative(sourceRoot, full);
    const file = ts.createSourceFile(full, fs.readFileSync(full, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    violations.push(
      ...checkImports(root, relative, file, layers),
      ...checkWrites(relative, file, rules),
      ...checkErrorClasses(relative, file),
    );
  }
  violations.push(...checkTables(root, rules), ...checkMigrationNumbers(root, rules), ...checkNames(root, rules));
  return violations;
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..", "..");
  const violations = checkArchitecture(root);
  for (const v of violations) console.error(`${v.file}: [${v.rule}] ${v.message}`);
  if (violations.length > 0) {
    console.error(`\n${violations.length} structure violation(s); the rules are in backend/architecture.ts`);
    process.exitCode = 1;
  } else {
    console.log("structure: every import runs downward, every table has one writer (backend/architecture.ts)");
  }
}
