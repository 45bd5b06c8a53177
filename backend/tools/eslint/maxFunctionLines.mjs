/**
 * `local/max-function-lines`: a function's own lines at most `max`, not counting blank lines, comment-only lines and
 * the lines of the functions nested in it (each of those is measured on its own). ESLint's max-lines-per-function
 * counts nested functions into the outer one, so a factory in the backend's style (`createWorker(ctx)` returning an
 * object of inner functions, ponder's idiom) would be one long function however small each of its parts is; this
 * rule limits every part instead, as solhint does for each Solidity function.
 */
const FUNCTION_TYPES = ["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"];

export default {
  meta: {
    type: "suggestion",
    docs: { description: "limit the lines of a function's own code (nested functions are measured on their own)" },
    schema: [{ type: "object", properties: { max: { type: "integer", minimum: 1 } }, additionalProperties: false }],
    messages: { tooLong: "{{name}} has {{lines}} lines of its own (nested functions excluded). Maximum allowed is {{max}}." },
  },
  create(context) {
    const max = context.options[0]?.max ?? 80;
    const source = context.sourceCode;
    const commentLines = new Set();
    for (const comment of source.getAllComments()) {
      for (let line = comment.loc.start.line; line <= comment.loc.end.line; line++) commentLines.add(line);
    }
    const codeOnLine = (line) => {
      const text = source.lines[line - 1] ?? "";
      return text.trim() !== "" && !(commentLines.has(line) && /^\s*(\/\/|\/\*|\*)/.test(text));
    };
    const stack = [];
    function enter(node) {
      stack.push({ node, nested: [] });
    }
    function exit(node) {
      const entry = stack.pop();
      const parent = stack.at(-1);
      if (parent !== undefined) parent.nested.push(node);
      const excluded = new Set();
      for (const inner of entry.nested) {
        // the lines strictly inside a nested function (its first and last line hold code of the outer one too)
        for (let line = inner.loc.start.line + 1; line < inner.loc.end.line; line++) excluded.add(line);
      }
      let lines = 0;
      for (let line = node.loc.start.line; line <= node.loc.end.line; line++) {
        if (!excluded.has(line) && codeOnLine(line)) lines++;
      }
      if (lines > max) {
        const name = node.id?.name ?? (node.parent?.type === "VariableDeclarator" ? node.parent.id.name : undefined) ?? "function";
        context.report({ node, messageId: "tooLong", data: { name, lines, max } });
      }
    }
    const visitors = {};
    for (const type of FUNCTION_TYPES) {
      visitors[type] = enter;
      visitors[`${type}:exit`] = exit;
    }
    return visitors;
  },
};
