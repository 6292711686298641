-- Word frequencies of stdin: how many words, how many different, and the `arg[1]` most frequent
-- (10 unless given), by count and then alphabetically, with the longest word.
local top = tonumber(arg[1]) or 10
local counts, total, distinct, longest = {}, 0, 0, ""
for word in io.read("a"):lower():gmatch("%a+") do
  total = total + 1
  if not counts[word] then distinct = distinct + 1 end
  counts[word] = (counts[word] or 0) + 1
  if #word > #longest or (#word == #longest and word < longest) then longest = word end
end
local words = {}
for word in pairs(counts) do words[#words + 1] = word end
table.sort(words, function(a, b)
  if counts[a] ~= counts[b] then return counts[a] > counts[b] end
  return a < b
end)
print(string.format("%d words, %d different, the longest %q", total, distinct, longest))
for i = 1, math.min(top, #words) do print(string.format("%6d %5.2f%% %s", counts[words[i]], 100 * counts[words[i]] / total, words[i])) end
