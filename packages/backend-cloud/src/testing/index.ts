export { type DaytonaFake, type DaytonaFakeOptions, startDaytonaFake } from "./daytona-fake.js";
export type { ModalFake, ModalFakeOptions, ModalFakeSandbox } from "./modal-fake.js";
export { startModalFake } from "./start-modal-fake.js";
export { startVercelFake, type VercelFake, type VercelFakeOptions } from "./vercel-fake.js";
