export { type DaytonaFake, type DaytonaFakeOptions, startDaytonaFake } from "./daytona-fake.js";
