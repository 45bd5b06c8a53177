import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { SimError } from "./types";

/**
 * The human representatives of the compliance registries (UK ETS Authorised Representatives, CITSS PAR/AAR) and
 * their second factor. Each acts through the simulator's HTTP API with HTTP Basic credentials (representative id
 * and password) and signs every instruction with a one-time code, as the real registries ask for a code from an
 * authenticator app (UK: FreeOTP). The codes are HOTP (RFC 4226: HMAC-SHA1, 6 digits, a counter per
 * representative); each accepted code moves the counter on, so no code works twice. `GET
 * /_admin/representatives/{id}/otp` shows the current code: it stands in for the phone.
 */
export type Representative = {
  id: string;
  name: string;
  password: string;
  /** The authenticator app's shared secret. */
  secret: Buffer;
  /** The HOTP counter of the next code. */
  counter: number;
};

/** RFC 4226 §5.3: the 6-digit HOTP value of `secret` at `counter`. */
export function hotp(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac("sha1", secret).update(message).digest();
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, "0");
}

export type AddRepresentativeParameters = { id: string; name?: string | undefined; password?: string | undefined };

export class RepresentativeDirectory {
  readonly representatives = new Map<string, Representative>();

  add(params: AddRepresentativeParameters): Representative {
    if (this.representatives.has(params.id)) throw new SimError(409, "REPRESENTATIVE_EXISTS", `representative ${params.id} already exists`);
    const representative: Representative = {
      id: params.id,
      name: params.name ?? params.id,
      password: params.password ?? `${params.id}-password`,
      secret: randomBytes(20),
      counter: 0,
    };
    this.representatives.set(representative.id, representative);
    return representative;
  }

  get(id: string): Representative {
    const representative = this.representatives.get(id);
    if (representative === undefined) throw new SimError(404, "REPRESENTATIVE_NOT_FOUND", `no representative ${id}`);
    return representative;
  }

  /** The representative named by an `authorization: Basic` header; 401 when missing or wrong. */
  authenticate(authorization: string | undefined): Representative {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? "");
    if (match?.[1] === undefined) throw new SimError(401, "UNAUTHENTICATED", "sign in with HTTP Basic: representative id and password");
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const id = decoded.slice(0, colon);
    const representative = this.representatives.get(id);
    if (colon < 0 || representative === undefined || !sameText(decoded.slice(colon + 1), representative.password)) {
      throw new SimError(401, "UNAUTHENTICATED", "unknown representative or wrong password");
    }
    return representative;
  }

  /** The code the representative's authenticator shows now. */
  currentCode(id: string): string {
    const representative = this.get(id);
    return hotp(representative.secret, representative.counter);
  }

  /** Accepts the current code once (the counter moves on); 403 naming the field otherwise. */
  verifyCode(representative: Representative, code: string | undefined, field = "otp"): void {
    if (code === undefined || !/^[0-9]{6}$/.test(code)) throw new SimError(400, "OTP_REQUIRED", `${field}: a 6-digit one-time code is required to sign`);
    if (!sameText(code, hotp(representative.secret, representative.counter))) {
      throw new SimError(403, "OTP_INVALID", `${field}: the one-time code is wrong or already used`);
    }
    representative.counter += 1;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
