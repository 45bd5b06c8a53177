import { expect } from "chai";
import { type RegistryStatus, cachedRegistryStatus } from "../../../backend/src/registries/status";

describe("api: cached registry status", () => {
  it("keeps each registry's answer for the TTL, shares one lookup between concurrent reads, and keeps no failure", async () => {
    let clock = 1_000;
    const calls: string[] = [];
    let fail = false;
    let paused = false;
    const source = {
      async get(registryId: string): Promise<RegistryStatus> {
        calls.push(registryId);
        if (fail) throw new Error("database unavailable");
        return { paused, circuit: "closed" };
      },
    };
    const cached = cachedRegistryStatus(source, 250, () => clock);

    const [a, b] = await Promise.all([cached.get("VERRA"), cached.get("VERRA")]);
    expect(a).to.deep.equal({ paused: false, circuit: "closed" });
    expect(b).to.equal(a);
    await cached.get("IREC");
    expect(calls).to.deep.equal(["VERRA", "IREC"]);

    paused = true; // the guardian pauses Verra: readers see it once the TTL has passed, not later
    clock += 249;
    expect((await cached.get("VERRA")).paused).to.equal(false);
    clock += 1;
    expect((await cached.get("VERRA")).paused).to.equal(true);
    expect(calls).to.deep.equal(["VERRA", "IREC", "VERRA"]);

    clock += 250;
    fail = true;
    const error = await cached.get("VERRA").catch((e: Error) => e);
    expect(error).to.be.instanceOf(Error);
    fail = false;
    expect((await cached.get("VERRA")).paused, "the failure was not kept").to.equal(true);
    expect(calls).to.deep.equal(["VERRA", "IREC", "VERRA", "VERRA", "VERRA"]);
  });
});
