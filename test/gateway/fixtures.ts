/** IDL shared by the gateway tests: every field kind, an alias, defaults, a recursive struct, a union. */
export const IDL = `
enum Color { RED = 1, GREEN = 2 }
struct Item { 1: required string title, 2: i64 id, 3: optional binary blob }
struct Order {
  1: i64 id
  2: list<Item> items
  3: map<i64, string> names
  4: i8 small
  5: i16 mid
  6: i32 n
  7: double price
  8: bool ok
  9: string note (go.tag = 'json:"memo,omitempty"')
  10: i32 withDefault = 42
  11: string label = "none"
  12: map<string, i32> counts
  13: optional Color color
  14: set<i32> tags
  15: uuid uid
  16: optional i32 opt = 5
  17: list<bool> flags
}
struct Deep { 1: optional Deep next }
union U { 1: i32 a, 2: string b }
struct Raw { 9: binary note }
`;
