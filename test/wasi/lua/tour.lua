-- A tour of Lua 5.4 whose output is the same wherever it runs: numbers and their formatting,
-- strings and patterns, tables, metatables, closures, coroutines, errors caught and not, goto,
-- integer and float arithmetic, string.pack, utf8 and a seeded math.random. Nothing printed
-- depends on addresses, the clock, the locale or the platform's libm beyond correct rounding.
local out = {}
local function say(...)
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = tostring(parts[i]) end
  out[#out + 1] = table.concat(parts, " ")
end

-- Numbers
say(_VERSION, math.pi, -math.pi, 1 / 3, 2 ^ 53, 2 ^ 63, 10 // 3, -7 // 2, -7 % 3, 7.5 // 2, -7.5 % 2)
say(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger, 1e300 * 1e10, -1e300 * 1e10)
say(3 == 3.0, math.type(3), math.type(3.0), math.type("3"), math.tointeger(3.0), math.tointeger(3.5))
say(0x7fffffff * 0x7fffffff, 5 & 3, 5 | 3, 5 ~ 3, ~5, 1 << 62, 1 << 64, -1 >> 1, "10" + 5, "3.5" * 2)
say(math.floor(-3.5), math.ceil(-3.5), math.fmod(-7, 3), math.abs(math.mininteger), math.ult(1, -1))
say(math.sqrt(2), math.max(3, 7.5, -1), math.min(3, 7.5, -1), math.log(8, 2), math.exp(0), tostring(-0.0))
say(string.format("%.10f %.10f %.10f", math.sin(1), math.cos(1), math.atan(1, 2)))
say(string.format("%5.2f|%-8.3e|%g|%g|%.3g|%d|%5d|%-5d|%05d|%+d|%x|%X|%o|%c|%i", 3.14159, 12345.678, 1e-5, 1e20,
  2 / 3, 42, 42, 42, 42, 42, 255, 255, 8, 65, -12))
say(string.format("%.30f", 0.1), string.format("%.17g", 0.1), string.format("%q", 1 / 0), string.format("%q", 7))
say(tonumber("0x10"), tonumber("1e2"), tonumber("  12  "), tonumber("12a"), tonumber("z", 36), tonumber("777", 8))
for x = 1, 2, 0.25 do out[#out + 1] = string.format("%.14g", x) end

-- Strings and patterns
local s = "The quick brown fox jumps over the lazy dog"
say(#s, s:upper(), s:lower():reverse(), s:sub(5, 9), s:sub(-3), s:byte(1, 3))
say(s:find("quick"), s:find("o", 20, true), s:match("(%a+) fox"), s:gsub("%w+", string.upper, 3))
say(("x=1, y=22, z=333"):gsub("(%w+)=(%d+)", "%2=%1"), ("hello world"):gsub("o", { o = "0" }))
say(string.rep("ab", 4, "-"), ("%d items"):format(3.0), string.char(72, 105), ("a,b,,c"):find(",,"))
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do out[#out + 1] = k .. "->" .. v end
say(("  trim me  "):match("^%s*(.-)%s*$"), ("2024-01-15"):match("(%d+)-(%d+)-(%d+)"))
say(("%bxy"):len(), ("f(a(b)c)d"):match("%b()"), ("THE (quick) fox"):find("%f[%a]%a+%f[%A]"))
say(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), utf8.codepoint("€", 1), #utf8.char(128512))
for p, c in utf8.codes("aä€") do out[#out + 1] = p .. ":" .. c end
say(string.pack("<i4", 258):byte(1, -1), string.unpack("<i2", "\1\2"), string.packsize("<i4 i8 d"))
say(string.unpack("<d s1 z", string.pack("<d s1 z", 1.5, "hi", "there")))

-- Tables
local t = { 5, 2, 8, 1, 9, 3 }
table.sort(t)
say(table.concat(t, ","), #t, select("#", table.unpack(t)), select(-1, 10, 20, 30))
table.sort(t, function(a, b) return a > b end)
table.insert(t, 1, 100)
table.remove(t, 3)
say(table.concat(t, ","), table.concat(table.move({ 1, 2, 3 }, 1, 3, 2, { 9 }), ","), next({}))
local words = {}
for w in ("one two three two one two"):gmatch("%a+") do words[w] = (words[w] or 0) + 1 end
local keys = {}
for k in pairs(words) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. words[k] end

-- Metatables and closures
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({ x = a.x + b.x, y = a.y + b.y }, V) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
V.__len = function() return 2 end
V.__call = function(v, k) return v.x * k end
V.__concat = function(a, b) return tostring(a) .. "|" .. tostring(b) end
local function vec(x, y) return setmetatable({ x = x, y = y }, V) end
local a, b = vec(1, 2), vec(3, 4)
say(tostring(a + b), a == vec(1, 2), a < b, b <= a, #a, a(10), a .. b, rawequal(a, vec(1, 2)), rawlen({ 1, 2 }))
local defaults = setmetatable({}, { __index = function(_, k) return k .. "?" end })
say(defaults.colour, rawget(defaults, "colour"))
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
c1(); c1()
say(c1(), c2())
do
  local closed = {}
  do
    local _ <close> = setmetatable({}, { __close = function() closed[#closed + 1] = "closed" end })
    closed[#closed + 1] = "body"
  end
  say(table.concat(closed, ","))
end

-- Coroutines
local gen = coroutine.wrap(function(n)
  for i = 1, n do coroutine.yield(i * i) end
  return "done"
end)
say(gen(4), gen(), gen(), gen(), gen())
local co = coroutine.create(function(x) local y = coroutine.yield(x + 1); error({ code = y }) end)
say(coroutine.resume(co, 1))
local ok, err = coroutine.resume(co, 42)
say(ok, type(err), err.code, coroutine.status(co), coroutine.isyieldable())

-- Errors
say(pcall(error, "plain"))
say(pcall(error, "with position", 1))
say(pcall(function() error("level 2", 2) end))
say(pcall(function() local x = nil; return x.field end))
say(pcall(function() return 1 // 0 end))
say(pcall(function() return {} + 1 end))
say(pcall(string.rep))
say(select("#", pcall(error)))
say(xpcall(function() error("traced") end, function(m) return "handled: " .. m end))
say(xpcall(function() local t = setmetatable({}, { __index = function() error("deep") end }); return t.x end,
  debug.traceback))
say(load("return 1 +"))
say(load("x = = 2", "=chunk"))
say(pcall(load("return ...", "=varargs"), 1, 2))
say(pcall(setmetatable, 1, {}))
-- C calls nested to Lua's limit (LUAI_MAXCCALLS): the parser's, and pcall's, each a setjmp
say(load(string.rep("(", 300) .. "1" .. string.rep(")", 300)))
local function nest() local ok, e = pcall(nest); return ok, e end
say(nest())

-- goto
do
  local i = 1
  ::top::
  if i <= 3 then out[#out + 1] = "goto " .. i; i = i + 1; goto top end
end

-- A seeded generator: xoshiro256**, the same everywhere
math.randomseed(42)
local r = {}
for i = 1, 5 do r[i] = math.random(1, 1000) end
say(table.concat(r, " "), math.random(0) ~= nil, string.format("%.6f", math.random()))
say(os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365 + 3661), os.getenv("NOT_SET_ANYWHERE"), type(os.clock()))

io.write(table.concat(out, "\n"), "\n")
