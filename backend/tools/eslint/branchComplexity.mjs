/**
 * `local/branch-complexity`: a function's cyclomatic complexity (1 + each if, `? :`, loop, `case`, `catch`, `&&` and
 * `||`) at most `max`. Unlike ESLint's `complexity` it does not count `??`, `?.` and default parameters: those pick a
 * value where one may be absent, they do not fork the logic a reader follows, and counting them makes every record
 * mapper with a few optional fields (`name: project?.name ?? null`) look like a tangle of conditions. Nested functions
 * are counted on their own, as ESLint does.
 */
const FUNCTIONS = ["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"];
const BRANCHES = [
  "IfStatement",
  "ConditionalExpression",
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
  "WhileStatement",
  "DoWhileStatement",
  "CatchClause",
];

export default {
  meta: {
    type: "suggestion",
    docs: { description: "limit a function's branches (nullish defaults and optional chains are not branches)" },
    schema: [{ type: "object", properties: { max: { type: "integer", minimum: 1 } }, additionalProperties: false }],
    messages: { tooComplex: "{{name}} has a branch complexity of {{complexity}}. Maximum allowed is {{max}}." },
  },
  create(context) {
    const max = context.options[0]?.max ?? 12;
    const stack = [];
    const add = () => {
      if (stack.length > 0) stack[stack.length - 1].complexity++;
    };
    const visitors = {
      SwitchCase(node) {
        if (node.test !== null) add();
      },
      LogicalExpression(node) {
        if (node.operator === "&&" || node.operator === "||") add();
      },
    };
    for (const type of BRANCHES) visitors[type] = add;
    for (const type of FUNCTIONS) {
      visitors[type] = () => stack.push({ complexity: 1 });
      visitors[`${type}:exit`] = (node) => {
        const { complexity } = stack.pop();
        if (complexity <= max) return;
        const name = node.id?.name ?? (node.parent?.type === "VariableDeclarator" ? node.parent.id.name : undefined) ?? "function";
        context.report({ node, messageId: "tooComplex", data: { name, complexity, max } });
      };
    }
    return visitors;
  },
};
