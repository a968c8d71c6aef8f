/**
 * A small evaluator of GitHub Actions expressions (`${{ ... }}`), enough to run action.yml
 * files in tests the way the runner does: contexts, literals, `== != < > <= >= && || !`,
 * parentheses, and the functions action metadata uses.
 */

/** The contexts an expression can read (`inputs`, `github`, `steps`, `env`, ...). */
export type ExpressionContext = Record<string, unknown>;

type Token =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      while (i < src.length) {
        if (src[i] === "'" && src[i + 1] === "'") {
          v += "'";
          i += 2;
        } else if (src[i] === "'") break;
        else v += src[i++];
      }
      i++;
      out.push({ t: 'str', v });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('()[].,!<>*'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else {
        throw new Error(`expression: unexpected "${c}" in ${src}`);
      }
    }
  }
  return out;
}

function truthy(v: unknown): boolean {
  return !(v === false || v === 0 || v === '' || v === null || v === undefined || Number.isNaN(v));
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b) return a === b;
  const num = (x: unknown) =>
    x === null || x === undefined ? 0 : typeof x === 'boolean' ? Number(x) : Number(x);
  return num(a) === num(b);
}

function toText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Evaluates one expression (without the `${{ }}`) against `ctx`. */
export function evaluateExpression(src: string, ctx: ExpressionContext): unknown {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const eat = (v?: string) => {
    const tok = tokens[pos++];
    if (!tok || (v !== undefined && tok.v !== v))
      throw new Error(`expression: expected ${v} in ${src}`);
    return tok;
  };
  const status = String((ctx.job as { status?: string } | undefined)?.status ?? 'success');
  const functions: Record<string, (...args: unknown[]) => unknown> = {
    always: () => true,
    success: () => status === 'success',
    failure: () => status === 'failure',
    cancelled: () => status === 'cancelled',
    contains: (a, b) =>
      Array.isArray(a)
        ? a.some((x) => looseEquals(x, b))
        : toText(a).toLowerCase().includes(toText(b).toLowerCase()),
    startsWith: (a, b) => toText(a).toLowerCase().startsWith(toText(b).toLowerCase()),
    endsWith: (a, b) => toText(a).toLowerCase().endsWith(toText(b).toLowerCase()),
    format: (f, ...args) => toText(f).replace(/\{(\d+)\}/g, (_, n) => toText(args[Number(n)])),
    join: (a, sep) =>
      Array.isArray(a) ? a.map(toText).join(sep === undefined ? ',' : toText(sep)) : toText(a),
    toJSON: (a) => JSON.stringify(a, null, 2),
    fromJSON: (a) => JSON.parse(toText(a)),
  };
  const primary = (): unknown => {
    const tok = eat();
    let value: unknown;
    if (tok.t === 'num' || tok.t === 'str') value = tok.v;
    else if (tok.t === 'op' && tok.v === '(') {
      value = orExpr();
      eat(')');
    } else if (tok.t === 'op' && tok.v === '!') return !truthy(primary());
    else if (tok.t === 'id') {
      if (tok.v === 'true') value = true;
      else if (tok.v === 'false') value = false;
      else if (tok.v === 'null') value = null;
      else if (peek()?.v === '(') {
        eat('(');
        const args: unknown[] = [];
        while (peek()?.v !== ')') {
          args.push(orExpr());
          if (peek()?.v === ',') eat(',');
        }
        eat(')');
        const fn = functions[tok.v];
        if (!fn) throw new Error(`expression: unknown function ${tok.v}()`);
        value = fn(...args);
      } else value = ctx[tok.v];
    } else throw new Error(`expression: unexpected ${tok.v} in ${src}`);
    for (;;) {
      if (peek()?.v === '.') {
        eat('.');
        const key = eat();
        value = (value as Record<string, unknown> | undefined)?.[String(key.v)];
      } else if (peek()?.v === '[') {
        eat('[');
        const key = orExpr();
        eat(']');
        value = (value as Record<string, unknown> | undefined)?.[toText(key)];
      } else return value;
    }
  };
  const comparison = (): unknown => {
    let left = primary();
    for (;;) {
      const op = peek();
      if (op?.t !== 'op' || !['==', '!=', '<', '>', '<=', '>='].includes(op.v)) return left;
      eat();
      const right = primary();
      if (op.v === '==') left = looseEquals(left, right);
      else if (op.v === '!=') left = !looseEquals(left, right);
      else {
        const a = Number(left);
        const b = Number(right);
        left = op.v === '<' ? a < b : op.v === '>' ? a > b : op.v === '<=' ? a <= b : a >= b;
      }
    }
  };
  const andExpr = (): unknown => {
    let left = comparison();
    while (peek()?.v === '&&') {
      eat();
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const orExpr = (): unknown => {
    let left = andExpr();
    while (peek()?.v === '||') {
      eat();
      const right = andExpr();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const result = orExpr();
  if (pos !== tokens.length) throw new Error(`expression: trailing input in ${src}`);
  return result;
}

/** Replaces every `${{ ... }}` in `text` with its value as text. */
export function interpolate(text: string, ctx: ExpressionContext): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) =>
    toText(evaluateExpression(expr, ctx)),
  );
}

/** Evaluates an `if:` condition (with or without `${{ }}`); the default is `success()`. */
export function evaluateCondition(condition: unknown, ctx: ExpressionContext): boolean {
  if (condition === undefined || condition === null || condition === '') {
    return truthy(evaluateExpression('success()', ctx));
  }
  if (typeof condition === 'boolean') return condition;
  const text = String(condition).trim();
  const m = /^\$\{\{([\s\S]*)\}\}$/.exec(text);
  const expr = m ? (m[1] as string) : text;
  const usesStatus = /\b(always|success|failure|cancelled)\s*\(/.test(expr);
  const value = evaluateExpression(usesStatus ? expr : `success() && (${expr})`, ctx);
  return truthy(value);
}
