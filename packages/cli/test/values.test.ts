import { bool, enumOf, int16, int64, int8, listOf, mapOf, method, record, service, setOf, string, variant } from "@rtmkit/protocol";
import { describe, expect, it } from "vitest";
import { catalogOf, parseValue, toJson, ValueError } from "../src/index.js";

const Color = { Red: 1, Green: 2 } as const;
const color = enumOf("Color", 8, Color);
const names = () => Color;
const none = () => undefined;

describe("parseValue reads command-line text by wire type", () => {
  it.each([
    [int8, "-128", -128],
    [int16, " 20 ", 20],
    [int64, "9223372036854775807", 9223372036854775807n],
    [int64, "-42", -42n],
    [bool, "true", true],
    [bool, "FALSE", false],
    [bool, "1", true],
    [string, "", ""],
    [string, " a, b ", " a, b "],
    [color, "2", 2],
    [color, "red", 1],
    [setOf(int64), "1, 2,3", [1n, 2n, 3n]],
    [setOf(int64), "", []],
    [setOf(int64), '[1, "9007199254740993"]', [1n, 9007199254740993n]],
    [listOf(color), "Red,2", [1, 2]],
    [listOf(listOf(int8)), "[[1],[2,3]]", [[1], [2, 3]]],
    [mapOf(int64), '{"a": 1}', { a: 1n }],
    [record("Row", [["id", int64], ["text", string]]), '["5", "x"]', [5n, "x"]],
  ] as const)("%j %j", (type, text, expected) => {
    expect(parseValue(type, text, names)).toEqual(expected);
  });

  it.each([
    [int8, "128", /"128" is not an int8 \(an integer in -128\.\.127\)/],
    [int8, "1.5", /not an int8/],
    [int64, "0x10", /"0x10" is not an int64/],
    [int64, "-9223372036854775809", /not an int64/],
    [bool, "yes", /"yes" is not a bool/],
    [color, "3", /"3" is not a Color \(Red=1, Green=2\)/],
    [setOf(int64), "[1, 9007199254740993]", /is not exact in JSON/],
    [setOf(int64), "[1,", /expected JSON for set<int64>/],
    [mapOf(int64), "[]", /expected a JSON object/],
    [listOf(string), "[1]", /expected a JSON string/],
  ] as const)("%j %j is refused", (type, text, message) => {
    expect(() => parseValue(type, text, names)).toThrow(ValueError);
    expect(() => parseValue(type, text, names)).toThrow(message);
  });

  it("an enum whose names are unknown takes numbers only", () => {
    expect(parseValue(color, "1", none)).toBe(1);
    expect(() => parseValue(color, "Red", none)).toThrow(/is not a Color \(1, 2\)/);
  });
});

describe("catalogOf finds the tables in a module's exports", () => {
  const things = service("things", "signed");
  const pushes = service("things", "none", "push");
  const putThing = method(things, "putThing", "putthing", "Put a thing.", { params: { id: ["id", int64], color: ["c", color] }, answer: {} });
  const putRed = variant(putThing, "putRed", { color: 1 });
  const pushed = method(pushes, "pushThing", "pushthing", "A thing pushed.", { params: {}, answer: {} });

  it("takes <service>Methods tables at the top level or in a namespace, client methods only", () => {
    const catalog = catalogOf({ things: { thingsMethods: { putThing, putRed, pushed }, other: 1 }, otherMethods: { notATable: 1 }, Color });
    expect([...catalog.methods.keys()]).toEqual(["putThing", "putRed"]);
    expect(catalog.enumNames(color)).toBe(Color);
  });

  it("trusts an exported enum object only when its values are the type's", () => {
    expect(catalogOf({ Color: { Red: 1, Blue: 3 } }).enumNames(color)).toBeUndefined();
  });
});

describe("toJson", () => {
  it("prints bigint as decimal strings, bytes as hex, undefined as null", () => {
    expect(toJson({ a: 2n ** 63n - 1n, b: [1n], c: new Uint8Array([1, 255]) })).toBe('{\n  "a": "9223372036854775807",\n  "b": [\n    "1"\n  ],\n  "c": "01ff"\n}');
    expect(toJson(undefined)).toBe("null");
  });

  it("prints a map keyed by id (a Map with bigint keys) as an object with decimal keys", () => {
    expect(JSON.parse(toJson({ counts: new Map([[3001n, 2], [2n ** 62n, 0]]) }))).toEqual({ counts: { "3001": 2, "4611686018427387904": 0 } });
  });
});
