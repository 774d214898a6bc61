/**
 * Kubernetes label selectors in their string form (`app=web,tier!=db,env in (a,b),!legacy`), with
 * the matching rules of apimachinery's `labels.Parse`: `!=` and `notin` also match objects that lack
 * the label, `in`, `=`, `>` and `<` require it.
 */

/** Operators of one requirement. */
export const SelectorOperator = {
  Equals: "=",
  NotEquals: "!=",
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
  GreaterThan: "gt",
  LessThan: "lt",
} as const;
export type SelectorOperator = (typeof SelectorOperator)[keyof typeof SelectorOperator];

/** One requirement of a selector, e.g. `env in (a,b)`. */
export interface LabelRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** A parsed selector: every requirement must hold. An empty selector matches everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
}

/** A selector text the API server would refuse (HTTP 400 on list and watch). */
export class LabelSelectorError extends Error {
  override readonly name = "LabelSelectorError";
  readonly code = "InvalidLabelSelector" as const;
}

const KEY_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): void {
  const slash = key.indexOf("/");
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    throw new LabelSelectorError(`unable to parse requirement: invalid label key "${key}": prefix part must be a DNS subdomain`);
  }
  if (name.length === 0 || name.length > 63 || !KEY_PART.test(name)) {
    throw new LabelSelectorError(
      `unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

function checkValue(value: string): void {
  if (value.length > 63 || !VALUE.test(value)) {
    throw new LabelSelectorError(
      `unable to parse requirement: invalid label value: "${value}": must be 63 characters or less and consist of alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`,
    );
  }
}

/** Splits at top-level commas (commas inside `( )` belong to a set). */
function splitRequirements(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new LabelSelectorError(`unable to parse requirement: unbalanced ')' in "${text}"`);
  }
  // The server's lexer reaches the end while it still expects a value or the closing parenthesis.
  if (depth !== 0) throw new LabelSelectorError("unable to parse requirement: found '', expected: ',', ')' or identifier");
  out.push(text.slice(start));
  return out;
}

function parseRequirement(raw: string): LabelRequirement {
  const text = raw.trim();
  if (text === "") throw new LabelSelectorError("unable to parse requirement: found '', expected: identifier");
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (set) {
    const key = set[1] ?? "";
    checkKey(key);
    const values = (set[3] ?? "").split(",").map((v) => v.trim());
    if (values.length === 1 && values[0] === "") {
      throw new LabelSelectorError(`unable to parse requirement: for '${set[2]}' operator, values set can't be empty`);
    }
    values.forEach(checkValue);
    return { key, operator: set[2] === "in" ? SelectorOperator.In : SelectorOperator.NotIn, values };
  }
  if (text.startsWith("!")) {
    const key = text.slice(1).trim();
    checkKey(key);
    return { key, operator: SelectorOperator.DoesNotExist, values: [] };
  }
  const op = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(text);
  if (op) {
    const key = op[1] ?? "";
    const value = (op[3] ?? "").trim();
    checkKey(key);
    // After the value the server's parser wants a comma or the end; another operator is an error.
    const stray = /[=!<>()]/.exec(value)?.[0];
    if (stray !== undefined) throw new LabelSelectorError(`found '${stray}', expected: ',' or 'end of string'`);
    switch (op[2]) {
      case ">":
      case "<": {
        if (!/^-?\d+$/.test(value)) {
          throw new LabelSelectorError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: "${value}"`);
        }
        return { key, operator: op[2] === ">" ? SelectorOperator.GreaterThan : SelectorOperator.LessThan, values: [value] };
      }
      case "!=":
        checkValue(value);
        return { key, operator: SelectorOperator.NotEquals, values: [value] };
      default:
        checkValue(value);
        return { key, operator: SelectorOperator.Equals, values: [value] };
    }
  }
  if (/\s/.test(text)) throw new LabelSelectorError(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, gt, lt`);
  checkKey(text);
  return { key: text, operator: SelectorOperator.Exists, values: [] };
}

/** Parses a selector string; throws {@link LabelSelectorError} on text the API server rejects. */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (text === undefined || text.trim() === "") return { requirements: [] };
  return { requirements: splitRequirements(text).map(parseRequirement) };
}

/** True when `labels` satisfies every requirement of `selector`. */
export function matchesLabelSelector(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const have = labels ?? {};
  return selector.requirements.every((r) => {
    const present = Object.prototype.hasOwnProperty.call(have, r.key);
    const value = present ? have[r.key] : undefined;
    switch (r.operator) {
      case SelectorOperator.Equals:
      case SelectorOperator.In:
        return present && r.values.includes(value ?? "");
      case SelectorOperator.NotEquals:
      case SelectorOperator.NotIn:
        return !present || !r.values.includes(value ?? "");
      case SelectorOperator.Exists:
        return present;
      case SelectorOperator.DoesNotExist:
        return !present;
      case SelectorOperator.GreaterThan:
      case SelectorOperator.LessThan: {
        if (!present || !/^-?\d+$/.test(value ?? "")) return false;
        const have = Number(value);
        const want = Number(r.values[0]);
        return r.operator === SelectorOperator.GreaterThan ? have > want : have < want;
      }
    }
  });
}
