#include "cel_double.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "process_of.h"

namespace fake_agent {

struct CelDouble::Node {
  enum Kind { kAnd, kOr, kCompare, kTrue } kind;
  std::shared_ptr<const Node> left, right;
  std::string field;  // kCompare: which auid
  std::string op;
  uint64_t literal = 0;
};

namespace {

using Node = CelDouble::Node;

// "<event>.process.auid" or "<event>.parent.auid", <event> a member of the
// GetEventsResponse oneof (process_exec, process_kprobe, ...).
bool IsAuidField(const std::string& field) {
  const size_t dot = field.find('.');
  if (dot == std::string::npos) return false;
  const auto* event =
      tetragon::GetEventsResponse::descriptor()->FindFieldByName(field.substr(0, dot));
  const std::string rest = field.substr(dot + 1);
  return event != nullptr && event->containing_oneof() != nullptr &&
         (rest == "process.auid" || rest == "parent.auid");
}

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) { Tokenize(); }

  std::shared_ptr<const Node> Parse(std::string* error) {
    if (!error_.empty()) return Fail(error);
    auto node = Or();
    if (node == nullptr || at_ != tokens_.size()) return Fail(error);
    return node;
  }

 private:
  std::shared_ptr<const Node> Fail(std::string* error) {
    *error = "tetragon-fake --cel evaluate understands only tetrars' auid expressions, not '" +
             text_ + "'";
    return nullptr;
  }
  void Tokenize() {
    for (size_t i = 0; i < text_.size();) {
      const char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        while (j < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[j])) ||
                                    text_[j] == '_' || text_[j] == '.')) {
          ++j;
        }
        tokens_.push_back(text_.substr(i, j - i));
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        size_t j = i;
        while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        if (j < text_.size() && text_[j] == 'u') ++j;
        tokens_.push_back(text_.substr(i, j - i));
        i = j;
      } else {
        static const std::vector<std::string> kOps = {
            "&&", "||", "==", "!=", ">=", "<=", ">", "<", "(", ")"};
        bool found = false;
        for (const std::string& op : kOps) {
          if (text_.compare(i, op.size(), op) == 0) {
            tokens_.push_back(op);
            i += op.size();
            found = true;
            break;
          }
        }
        if (!found) {
          error_ = "bad character";
          return;
        }
      }
    }
  }
  bool Take(const std::string& token) {
    if (at_ < tokens_.size() && tokens_[at_] == token) {
      ++at_;
      return true;
    }
    return false;
  }
  std::shared_ptr<const Node> Or() {
    auto left = And();
    while (left != nullptr && Take("||")) {
      auto right = And();
      if (right == nullptr) return nullptr;
      left = std::make_shared<Node>(Node{Node::kOr, left, right, "", "", 0});
    }
    return left;
  }
  std::shared_ptr<const Node> And() {
    auto left = Term();
    while (left != nullptr && Take("&&")) {
      auto right = Term();
      if (right == nullptr) return nullptr;
      left = std::make_shared<Node>(Node{Node::kAnd, left, right, "", "", 0});
    }
    return left;
  }
  std::shared_ptr<const Node> Term() {
    if (Take("(")) {
      auto inner = Or();
      return inner != nullptr && Take(")") ? inner : nullptr;
    }
    if (Take("true")) return std::make_shared<Node>(Node{Node::kTrue, nullptr, nullptr, "", "", 0});
    if (at_ + 3 > tokens_.size()) return nullptr;
    const std::string field = tokens_[at_];
    const std::string op = tokens_[at_ + 1];
    const std::string literal = tokens_[at_ + 2];
    static const std::vector<std::string> kCompares = {"==", "!=", ">=", "<=", ">", "<"};
    if (!IsAuidField(field) ||
        std::find(kCompares.begin(), kCompares.end(), op) == kCompares.end() ||
        literal.size() < 2 || literal.back() != 'u') {
      return nullptr;
    }
    at_ += 3;
    return std::make_shared<Node>(Node{Node::kCompare, nullptr, nullptr, field, op,
                                       std::stoull(literal.substr(0, literal.size() - 1))});
  }

  std::string text_;
  std::vector<std::string> tokens_;
  size_t at_ = 0;
  std::string error_;
};

std::optional<uint32_t> Auid(const tetragon::GetEventsResponse& event, const std::string& field) {
  const size_t dot = field.find('.');
  const auto* event_field = event.GetDescriptor()->FindFieldByName(field.substr(0, dot));
  if (event_field == nullptr || event.event_case() != event_field->number()) return std::nullopt;
  const bool parent = field.find(".parent.") != std::string::npos;
  const tetragon::Process* p =
      parent ? tetrars::ParentProcess(event) : tetrars::SubjectProcess(event);
  if (p == nullptr || !p->has_auid()) return std::nullopt;
  return p->auid().value();
}

bool Evaluate(const Node& node, const tetragon::GetEventsResponse& event) {
  switch (node.kind) {
    case Node::kTrue:
      return true;
    case Node::kAnd:
      return Evaluate(*node.left, event) && Evaluate(*node.right, event);
    case Node::kOr:
      return Evaluate(*node.left, event) || Evaluate(*node.right, event);
    case Node::kCompare: {
      const auto value = Auid(event, node.field);
      if (!value) return false;
      const uint64_t v = *value;
      if (node.op == "==") return v == node.literal;
      if (node.op == "!=") return v != node.literal;
      if (node.op == ">=") return v >= node.literal;
      if (node.op == "<=") return v <= node.literal;
      if (node.op == ">") return v > node.literal;
      return v < node.literal;
    }
  }
  return false;
}

}  // namespace

std::optional<CelDouble> CelDouble::Compile(const std::string& expression, std::string* error) {
  Parser parser(expression);
  auto root = parser.Parse(error);
  if (root == nullptr) return std::nullopt;
  CelDouble cel;
  cel.root_ = root;
  return cel;
}

bool CelDouble::Matches(const tetragon::GetEventsResponse& event) const {
  return Evaluate(*root_, event);
}

}  // namespace fake_agent
