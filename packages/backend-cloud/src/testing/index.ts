export { type DaytonaFake, type DaytonaFakeOptions, startDaytonaFake } from "./daytona-fake.js";
export { startVercelFake, type VercelFake, type VercelFakeOptions } from "./vercel-fake.js";
