/** Shared UI: labelled fields with inline errors, buttons, notices, key-value lists, tables and the stage timeline. */
import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from "react";
import { formatDateTime, shortHex } from "../lib/format";

export function Page({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby="page-title" className="page">
      <h1 id="page-title">{title}</h1>
      {intro === undefined ? null : <p className="intro">{intro}</p>}
      {children}
    </section>
  );
}

export function Panel({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

type FieldProps = { label: string; error?: string | undefined; hint?: string | undefined } & InputHTMLAttributes<HTMLInputElement>;

export function Field({ label, error, hint, ...input }: FieldProps) {
  const id = useId();
  const described = [hint === undefined ? undefined : `${id}-hint`, error === undefined ? undefined : `${id}-error`].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error !== undefined} aria-describedby={described || undefined} {...input} />
      {hint === undefined ? null : <small id={`${id}-hint`}>{hint}</small>}
      {error === undefined ? null : (
        <span id={`${id}-error`} className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

type SelectProps = { label: string; options: Array<{ value: string; label: string }> } & SelectHTMLAttributes<HTMLSelectElement>;

export function Select({ label, options, ...select }: SelectProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Notice({ kind = "info", children }: { kind?: "info" | "success" | "error" | "warning"; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function Facts({ items, label }: { items: Array<[string, ReactNode]>; label?: string }) {
  return (
    <dl className="facts" aria-label={label}>
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Table({ caption, columns, rows, empty = "Nothing yet." }: { caption: string; columns: string[]; rows: ReactNode[][]; empty?: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty}
              </td>
            </tr>
          ) : null}
          {rows.map((row, index) => (
            <tr key={index}>
              {row.map((cell, cellIndex) => (
                <td key={cellIndex} data-label={columns[cellIndex]}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Hash({ value, label }: { value: string | null | undefined; label?: string }) {
  if (value === null || value === undefined) return <span>-</span>;
  return (
    <code title={value} aria-label={label === undefined ? value : `${label} ${value}`}>
      {shortHex(value)}
    </code>
  );
}

export function When({ at }: { at: string | null | undefined }) {
  return <time dateTime={at ?? undefined}>{formatDateTime(at)}</time>;
}

export type Stage = { key: string; label: string; state: "done" | "current" | "waiting" | "failed"; at: string | null; detail: string; txHash: string | null };

const STATE_WORDS = { done: "done", current: "in progress", waiting: "waiting", failed: "failed" } as const;

export function Timeline({ stages, label }: { stages: Stage[]; label: string }) {
  return (
    <ol className="timeline" aria-label={label}>
      {stages.map((stage) => (
        <li key={stage.key} className={`stage stage-${stage.state}`} aria-current={stage.state === "current" ? "step" : undefined}>
          <strong>{stage.label}</strong> <span className="badge">{STATE_WORDS[stage.state]}</span>
          <div>
            {stage.at === null ? null : <When at={stage.at} />} {stage.detail}
            {stage.txHash === null ? null : (
              <>
                {" "}
                transaction <Hash value={stage.txHash} />
              </>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
