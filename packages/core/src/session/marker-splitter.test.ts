import { describe, expect, it } from "vitest";
import { MarkerSplitter } from "./marker-splitter.js";

const marker = Buffer.from("\x1e__M_END\n");

/** Feeds `text` in the given pieces; returns what came before the marker and what came after. */
function split(pieces: string[]): { before: string; after: string; found: boolean } {
  let before = "";
  let after = "";
  let found = false;
  const splitter = new MarkerSplitter((bytes) => {
    after += bytes.toString("latin1");
  });
  splitter.expect(
    marker,
    (bytes) => {
      before += bytes.toString("latin1");
    },
    () => {
      found = true;
      splitter.expect(null, (bytes) => {
        after += bytes.toString("latin1");
      });
    },
  );
  for (const piece of pieces) splitter.push(Buffer.from(piece, "latin1"));
  return { before, after, found };
}

describe("MarkerSplitter", () => {
  const text = "output\x1e__M_EN almost\n\x1e__M_END\nrest";

  it("finds a marker wherever the chunks break", () => {
    for (let cut = 0; cut <= text.length; cut++) {
      for (let second = cut; second <= text.length; second++) {
        const result = split([text.slice(0, cut), text.slice(cut, second), text.slice(second)]);
        expect(result, `cuts at ${cut},${second}`).toEqual({ before: "output\x1e__M_EN almost\n", after: "rest", found: true });
      }
    }
  });

  it("releases held-back bytes once they turn out not to be the marker", () => {
    const outputs: string[] = [];
    const splitter = new MarkerSplitter(() => {});
    splitter.expect(marker, (bytes) => outputs.push(bytes.toString("latin1")));
    splitter.push(Buffer.from("line\n\x1e__M"));
    expect(outputs).toEqual(["line\n"]);
    splitter.push(Buffer.from("X"));
    expect(outputs.join("")).toBe("line\n\x1e__MX");
  });

  it("never holds back a chunk that ends in a newline", () => {
    const outputs: string[] = [];
    const splitter = new MarkerSplitter(() => {});
    splitter.expect(marker, (bytes) => outputs.push(bytes.toString()));
    splitter.push(Buffer.from("progress 1\n"));
    expect(outputs).toEqual(["progress 1\n"]);
  });

  it("flush hands out what was held back when the stream ends", () => {
    const outputs: string[] = [];
    const splitter = new MarkerSplitter(() => {});
    splitter.expect(marker, (bytes) => outputs.push(bytes.toString("latin1")));
    splitter.push(Buffer.from("tail\x1e__M_"));
    splitter.flush();
    expect(outputs.join("")).toBe("tail\x1e__M_");
  });
});
