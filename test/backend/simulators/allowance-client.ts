import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { instantOf } from "../../../backend/src/simulators/core/zoned-time";

/** HTTP helpers for the compliance-allowance simulator tests: admin calls, representatives with codes, files. */
export type Json = Record<string, unknown>;

export function localTime(zone: string, text: string): Date {
  const [date, time] = text.split(" ") as [string, string];
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute, second] = time.split(":").map(Number) as [number, number, number?];
  return instantOf(zone, { year, month, day, hour, minute, second: second ?? 0 });
}

export class SimulatorClient {
  constructor(readonly url: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; text: string }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: Json = {};
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      parsed = {};
    }
    return { status: response.status, body: parsed, text };
  }

  /** An admin call that must succeed; returns its body. */
  async admin(method: string, path: string, body?: unknown): Promise<Json> {
    const result = await this.call(method, `/_admin${path}`, body);
    if (result.status >= 300) throw new Error(`${method} /_admin${path} answered ${result.status}: ${result.text}`);
    return result.body;
  }

  async setClock(at: Date): Promise<void> {
    await this.admin("POST", "/clock", { set: at.toISOString() });
  }

  async representative(id: string): Promise<Representative> {
    const created = await this.admin("POST", "/representatives", { id });
    return new Representative(this, id, String(created.password));
  }

  async xlsxRows(path: string): Promise<string[][]> {
    const response = await fetch(`${this.url}${path}`);
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0];
    const rows: string[][] = [];
    sheet?.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((value) => (value === null || value === undefined ? "" : String(value)))));
    return rows;
  }
}

/** A human representative: signs in with Basic credentials and reads its one-time code from the admin route. */
export class Representative {
  constructor(
    private readonly client: SimulatorClient,
    readonly id: string,
    private readonly password: string,
  ) {}

  private get auth() {
    return { authorization: `Basic ${Buffer.from(`${this.id}:${this.password}`).toString("base64")}` };
  }

  async code(): Promise<string> {
    return String((await this.client.admin("GET", `/representatives/${this.id}/otp`)).code);
  }

  /** POSTs with a fresh one-time code in `otp` (unless the body already carries one). */
  async sign(path: string, body: Json): Promise<{ status: number; body: Json; text: string }> {
    return this.client.call("POST", path, { otp: await this.code(), ...body }, this.auth);
  }

  async post(path: string, body: Json): Promise<{ status: number; body: Json; text: string }> {
    return this.client.call("POST", path, body, this.auth);
  }

  /** A CSV file as records keyed by column name. */
  async csv(path: string): Promise<Array<Record<string, string>>> {
    const result = await this.client.call("GET", path, undefined, this.auth);
    if (result.status !== 200) throw new Error(`${path} answered ${result.status}: ${result.text}`);
    return parse(result.text, { columns: true }) as Array<Record<string, string>>;
  }

  async get(path: string): Promise<{ status: number; body: Json; text: string }> {
    return this.client.call("GET", path, undefined, this.auth);
  }
}
