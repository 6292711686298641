// A C++ program (libc++, built without exceptions): one unit per item. It counts the words of its
// stdin into a std::map, sorts them, draws from std::random_device (random_get), reads the clock
// through std::chrono, prints floats, and writes a line to stderr: a diagnostic that comes back
// beside the output. `words N flood` writes 200 KiB to stderr, past what a host keeps. Its exit code
// is N % 3, an ordinary result.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  const int index = argc > 1 ? std::atoi(argv[1]) : 0;
  std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  std::istringstream in(text);
  std::map<std::string, int> counts;
  std::vector<std::string> words;
  for (std::string word; in >> word;) {
    ++counts[word];
    words.push_back(word);
  }
  std::sort(words.begin(), words.end(), [](const std::string &a, const std::string &b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  std::cout << "unit " << index << ": " << words.size() << " words, " << counts.size() << " distinct\n";
  for (const auto &[word, n] : counts) std::cout << "  " << word << " " << n << "\n";
  if (!words.empty()) std::cout << "longest " << words.front() << "\n";
  std::random_device device;
  std::mt19937_64 twister(device());
  std::cout << "random " << twister() << "\n";
  const auto since = std::chrono::system_clock::now().time_since_epoch();
  std::cout << "clock ms " << std::chrono::duration_cast<std::chrono::milliseconds>(since).count() << "\n";
  std::cout << std::setprecision(17) << "sqrt " << std::sqrt(2.0 + index) << " nan " << std::nan("") << "\n";
  std::cerr << "unit " << index << ": counted " << words.size() << " words\n";
  if (argc > 2 && std::strcmp(argv[2], "flood") == 0) {
    const std::string line(1023, 'e');
    for (int i = 0; i < 200; i++) std::cerr << line << '\n';
  }
  std::cout.flush();
  return index % 3;
}
