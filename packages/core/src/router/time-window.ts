/** A `HH:MM-HH:MM` window in local time, as minutes after midnight; `end` is excluded. */
export interface TimeWindow {
  start: number;
  end: number;
}

export function parseTimeWindow(text: string): TimeWindow | undefined {
  const match = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [startHour, startMinute, endHour, endMinute] = match.slice(1).map(Number) as [number, number, number, number];
  if (startHour > 23 || endHour > 23 || startMinute > 59 || endMinute > 59) return undefined;
  const window = { start: startHour * 60 + startMinute, end: endHour * 60 + endMinute };
  return window.start === window.end ? undefined : window;
}

/** Whether `at` (local time) falls in the window; a window whose end is before its start crosses midnight. */
export function inTimeWindow(window: TimeWindow, at: Date): boolean {
  const minute = at.getHours() * 60 + at.getMinutes();
  return window.start < window.end ? minute >= window.start && minute < window.end : minute >= window.start || minute < window.end;
}
