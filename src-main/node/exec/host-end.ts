// How a unit ends inside a host call (docs/UNIT_ABI.md, "Exceptions"): proc_exit, abort, or fuel
// running out in a call. The host throws a JavaScript exception to unwind the module, and a module
// built with exception handling could catch it (`catch_all`). So the end is recorded first, with
// the fuel left at that moment, and the fuel is then drained: the next metering check (a loop, a
// call) traps, which no `catch` catches, and every host call after it throws again. However
// control comes back to the host, the unit ended as it was recorded; nothing it did after counts.

export interface FuelGlobal {
  value: bigint;
}

export class HostEnd {
  #error: Error | undefined;
  #fuelLeft: bigint | undefined;
  #fuel: FuelGlobal | undefined;

  /** The instance's fuel, once it exists (the imports are made before it). */
  meter(fuel: FuelGlobal): void {
    this.#fuel = fuel;
  }

  /** Records `error` as how the unit ended (the first end stands), drains the fuel and throws it. */
  end(error: Error): never {
    if (!this.#error) {
      this.#error = error;
      this.#fuelLeft = this.#fuel?.value;
    }
    if (this.#fuel) this.#fuel.value = -1n;
    throw this.#error;
  }

  /** A host call after the end throws the end again: the module can do nothing more. */
  check(): void {
    if (this.#error) throw this.#error;
  }

  /** How the unit ended in a host call, and the fuel it had left then; undefined while it has not. */
  get ended(): { error: Error; fuelLeft: bigint | undefined } | undefined {
    return this.#error ? { error: this.#error, fuelLeft: this.#fuelLeft } : undefined;
  }
}
