// A minimal application of sock8 built outside sock8's own build: proves
// the package works for find_package and add_subdirectory users.

#include <sock8/sock8.hpp>

#include <boost/describe.hpp>

#include <iostream>
#include <string>

struct note
{
    std::string text;
};
BOOST_DESCRIBE_STRUCT(note, (), (text))

using notes = sock8::channel<"notes.{user}", note>;
using app = sock8::tree<notes>;

int main()
{
    auto const topic = notes::topic("ada");
    std::string json;
    sock8::encode(note{"hello"}, json);
    sock8::server<app> server;
    std::cout << topic.str() << " " << json << "\n";
    return topic.str() == "notes.ada" && json == R"({"text":"hello"})" ? 0
                                                                      : 1;
}
