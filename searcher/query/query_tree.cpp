#include "searcher/query/query_tree.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/analysis/fields.hpp"
#include "common/error.hpp"
#include "searcher/present/spelling.hpp"

namespace fathom {
namespace {

bool IsKnownField(std::string_view name) {
  return std::find(std::begin(kFields), std::end(kFields), name) != std::end(kFields);
}

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

struct QueryTreeParser::Token {
  enum class Kind {
    kEnd,
    kWord,
    kPhrase,
    kOpen,
    kClose,
    kAnd,
    kOr,
    kNot,
    kPlus,
    kMinus,
    kField,
    kFilter
  };
  Kind kind = Kind::kEnd;
  std::string text;                   // word, phrase contents, or field name
  std::optional<FieldFilter> filter;  // kFilter
  std::size_t column = 0;
  bool prefix = false;     // word*
  int fuzzy = -1;          // word~N
  std::uint32_t slop = 0;  // "phrase"~N
};

class QueryTreeParser::Lexer {
 public:
  Lexer(std::string_view text, std::vector<std::string>& warnings, const FieldTypes& typed_fields,
        const FieldUsesByName& field_uses)
      : text_(text), warnings_(warnings), typed_fields_(typed_fields), field_uses_(field_uses) {}

  Token Next() {
    while (pos_ < text_.size() && IsQuerySpace(text_[pos_])) ++pos_;
    Token token;
    token.column = pos_ + 1;
    if (pos_ >= text_.size()) return token;
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      token.kind = Token::Kind::kOpen;
      return token;
    }
    if (c == ')') {
      ++pos_;
      token.kind = Token::Kind::kClose;
      return token;
    }
    // A sign directly before a word, phrase or group; "---" is a word.
    if ((c == '+' || c == '-') && pos_ + 1 < text_.size() && !IsQuerySpace(text_[pos_ + 1]) &&
        text_[pos_ + 1] != ')' && text_[pos_ + 1] != '+' && text_[pos_ + 1] != '-') {
      ++pos_;
      token.kind = c == '+' ? Token::Kind::kPlus : Token::Kind::kMinus;
      return token;
    }
    if (const std::size_t quote = QuoteLength(text_, pos_); quote > 0) {
      const std::size_t start = pos_ + quote;
      std::size_t end = start;
      while (end < text_.size() && QuoteLength(text_, end) == 0) ++end;
      token.kind = Token::Kind::kPhrase;
      token.text = std::string(text_.substr(start, end - start));
      if (end >= text_.size()) {
        warnings_.push_back("unclosed quote at column " + std::to_string(token.column) +
                            ": the phrase runs to the end of the query");
        pos_ = text_.size();
        return token;
      }
      pos_ = end + QuoteLength(text_, end);
      if (pos_ < text_.size() && text_[pos_] == '~') {
        const std::size_t tilde = pos_++;
        const std::size_t digits = pos_;
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
        if (pos_ == digits || pos_ - digits > 4) {
          throw QuerySyntaxError(tilde + 1,
                                 "'~' after a phrase takes a number of positions (0 to " +
                                     std::to_string(kMaxSlop) + ")");
        }
        token.slop = static_cast<std::uint32_t>(
            std::stoul(std::string(text_.substr(digits, pos_ - digits))));
        if (token.slop > kMaxSlop) {
          throw QuerySyntaxError(tilde + 1, "phrase slop is at most " + std::to_string(kMaxSlop));
        }
      }
      return token;
    }
    std::size_t end = pos_;
    while (end < text_.size() && !IsQuerySpace(text_[end]) && text_[end] != '(' &&
           text_[end] != ')' && QuoteLength(text_, end) == 0) {
      ++end;
    }
    std::string_view word = text_.substr(pos_, end - pos_);
    if (auto filter = FilterAt(word, token)) return std::move(*filter);
    // field:...: a known field name restricts what follows the colon.
    if (const std::size_t colon = word.find(':');
        colon != std::string_view::npos && IsKnownField(Lowercase(word.substr(0, colon)))) {
      token.kind = Token::Kind::kField;
      token.text = Lowercase(word.substr(0, colon));
      pos_ += colon + 1;
      if (pos_ >= text_.size() || IsQuerySpace(text_[pos_])) {
        throw QuerySyntaxError(pos_ + 1,
                               "'" + token.text + ":' needs a word, phrase or group after it");
      }
      return token;
    }
    pos_ = end;
    if (word == "AND" || word == "OR" || word == "NOT") {
      token.kind = word == "AND"  ? Token::Kind::kAnd
                   : word == "OR" ? Token::Kind::kOr
                                  : Token::Kind::kNot;
      return token;
    }
    token.kind = Token::Kind::kWord;
    if (const std::size_t tilde = word.rfind('~'); tilde != std::string_view::npos && tilde > 0) {
      const std::string_view distance = word.substr(tilde + 1);
      if (distance.empty()) {
        token.fuzzy = 2;  // as Lucene: word~ means two edits
      } else if (distance.size() == 1 && distance[0] >= '0' && distance[0] <= '2') {
        token.fuzzy = distance[0] - '0';
      } else {
        throw QuerySyntaxError(token.column + tilde, "'~' after a word takes 0, 1 or 2 (edits)");
      }
      word = word.substr(0, tilde);
    } else if (word.size() > 1 && word.back() == '*') {
      token.prefix = true;
      word.remove_suffix(1);
    }
    token.text = std::string(word);
    return token;
  }

 private:
  // `name:value` where name is a typed field: the filter token, its value
  // read to its end (a range's closing bracket, a closing quote, else a
  // blank or parenthesis). A name that could be a field and is not one
  // (neither typed nor a text field) is an error listing the fields, so
  // that `date:2025` on an index without dates is never read as words.
  std::optional<Token> FilterAt(std::string_view word, Token& token) {
    const std::size_t colon = word.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    const std::string_view name = word.substr(0, colon);
    if (!IsValidFieldName(name) || IsKnownField(Lowercase(name))) return std::nullopt;
    const std::size_t value_at = pos_ + colon + 1;
    if (value_at >= text_.size()) return std::nullopt;
    const unsigned char first = static_cast<unsigned char>(text_[value_at]);
    const bool starts_value =
        std::isalnum(first) || first >= 0x80 || QuoteLength(text_, value_at) > 0 ||
        std::string_view("[{<>*-._/(").find(static_cast<char>(first)) != std::string_view::npos;
    if (!starts_value) return std::nullopt;
    const auto typed = typed_fields_.find(name);
    if (typed == typed_fields_.end()) {
      std::string known = "title";
      for (const auto& [field, type] : typed_fields_) known += ", " + field;
      throw QuerySyntaxError(token.column, "unknown field '" + std::string(name) +
                                               "'; the fields of this index are: " + known);
    }
    if ((UsesOf(field_uses_, name) & kSearchable) == 0) {
      throw QuerySyntaxError(token.column, "field '" + std::string(name) +
                                               "' is not searchable (the index's schema says "
                                               "\"searchable\": false)");
    }
    if (text_[value_at] == '(') {
      throw QuerySyntaxError(value_at + 1, "field '" + std::string(name) +
                                               "' takes a value, a range or a comparison, not a "
                                               "group (write year:2000 OR year:2001)");
    }
    std::size_t end = value_at;
    if (text_[end] == '[' || text_[end] == '{') {
      while (end < text_.size() && text_[end] != ']' && text_[end] != '}') ++end;
      if (end == text_.size()) {
        throw QuerySyntaxError(value_at + 1, "a range needs a closing ']' or '}'");
      }
      ++end;
    } else {
      if (text_[end] == '<' || text_[end] == '>') {
        ++end;
        if (end < text_.size() && text_[end] == '=') ++end;
      }
      if (end < text_.size() && QuoteLength(text_, end) > 0) {
        std::size_t close = end + QuoteLength(text_, end);
        while (close < text_.size() && QuoteLength(text_, close) == 0) ++close;
        if (close == text_.size()) throw QuerySyntaxError(end + 1, "unclosed quote");
        end = close + QuoteLength(text_, close);
      } else {
        while (end < text_.size() && !IsQuerySpace(text_[end]) && text_[end] != '(' &&
               text_[end] != ')') {
          ++end;
        }
      }
    }
    // Curly quotes become plain ones, which the value parser knows.
    std::string value;
    for (std::size_t i = value_at; i < end;) {
      if (const std::size_t quote = QuoteLength(text_, i); quote > 0) {
        value += '"';
        i += quote;
      } else {
        value += text_[i++];
      }
    }
    token.kind = Token::Kind::kFilter;
    token.text = std::string(name);
    token.filter = ParseFieldFilter(name, typed->second, value, value_at + 1);
    pos_ = end;
    return token;
  }

  std::string_view text_;
  std::vector<std::string>& warnings_;
  const FieldTypes& typed_fields_;
  const FieldUsesByName& field_uses_;
  std::size_t pos_ = 0;
};

class QueryTreeParser::Grammar {
 public:
  Grammar(QueryTreeParser& parser, std::string_view text, ParsedQuery& out)
      : parser_(parser),
        text_(text),
        lexer_(text, out.warnings, parser.snapshot_.field_types(), parser.snapshot_.field_uses()),
        out_(out) {
    Advance();
  }

  QueryNode Query(std::size_t depth, bool nested) {
    QueryNode group;
    while (true) {
      if (token_.kind == Token::Kind::kEnd) {
        if (nested) throw QuerySyntaxError(token_.column, "missing ')' to close a '('");
        break;
      }
      if (token_.kind == Token::Kind::kClose) {
        if (!nested) throw QuerySyntaxError(token_.column, "')' without a matching '('");
        break;
      }
      Occur occur = Occur::kShould;
      if (token_.kind == Token::Kind::kPlus || token_.kind == Token::Kind::kMinus) {
        occur = token_.kind == Token::Kind::kPlus ? Occur::kMust : Occur::kMustNot;
        Advance();
      }
      std::optional<QueryNode> clause = OrExpr(depth);
      if (!clause) continue;
      // "putin NOT trump": a clause that only excludes is an exclusion.
      if (occur == Occur::kShould && clause->kind == QueryNode::Kind::kGroup &&
          clause->children.size() == 1 && clause->children[0].occur == Occur::kMustNot) {
        QueryNode excluded = std::move(clause->children[0]);
        clause = std::move(excluded);
        occur = Occur::kMustNot;
      }
      clause->occur = occur;
      group.children.push_back(std::move(*clause));
    }
    return group;
  }

 private:
  void Advance() { token_ = lexer_.Next(); }

  std::optional<QueryNode> OrExpr(std::size_t depth) {
    std::vector<QueryNode> operands;
    const std::size_t column = token_.column;
    if (auto first = AndExpr(depth)) operands.push_back(std::move(*first));
    while (token_.kind == Token::Kind::kOr) {
      const std::size_t at = token_.column;
      Advance();
      if (!StartsOperand()) throw QuerySyntaxError(at, "OR needs something on both sides");
      if (auto next = AndExpr(depth)) operands.push_back(std::move(*next));
    }
    if (operands.empty()) return std::nullopt;
    if (operands.size() == 1) return std::move(operands[0]);
    QueryNode group;
    group.source = std::string(text_.substr(column - 1));
    for (auto& operand : operands) {
      operand.occur = Occur::kShould;
      group.children.push_back(std::move(operand));
    }
    return group;
  }

  std::optional<QueryNode> AndExpr(std::size_t depth) {
    std::vector<QueryNode> operands;
    std::vector<bool> negated;
    bool any = false;
    const auto operand = [&] {
      bool negate = false;
      while (token_.kind == Token::Kind::kNot) {
        const std::size_t at = token_.column;
        Advance();
        if (!StartsOperand()) throw QuerySyntaxError(at, "NOT needs something after it");
        negate = !negate;
      }
      if (auto node = Primary(depth)) {
        operands.push_back(std::move(*node));
        negated.push_back(negate);
      }
      any = true;
    };
    if (token_.kind == Token::Kind::kAnd) {
      throw QuerySyntaxError(token_.column, "AND needs something on both sides");
    }
    if (token_.kind == Token::Kind::kOr) {
      throw QuerySyntaxError(token_.column, "OR needs something on both sides");
    }
    operand();
    while (token_.kind == Token::Kind::kAnd) {
      const std::size_t at = token_.column;
      Advance();
      if (!StartsOperand()) throw QuerySyntaxError(at, "AND needs something on both sides");
      operand();
    }
    if (!any || operands.empty()) return std::nullopt;
    if (operands.size() == 1 && !negated[0]) return std::move(operands[0]);
    QueryNode group;
    for (std::size_t i = 0; i < operands.size(); ++i) {
      operands[i].occur = negated[i] ? Occur::kMustNot : Occur::kMust;
      group.children.push_back(std::move(operands[i]));
    }
    return group;
  }

  bool StartsOperand() const {
    switch (token_.kind) {
      case Token::Kind::kWord:
      case Token::Kind::kPhrase:
      case Token::Kind::kOpen:
      case Token::Kind::kNot:
      case Token::Kind::kField:
      case Token::Kind::kFilter:
        return true;
      default:
        return false;
    }
  }

  std::optional<QueryNode> Primary(std::size_t depth) {
    if (token_.kind == Token::Kind::kFilter) {
      QueryNode node;
      node.kind = QueryNode::Kind::kFilter;
      node.filter = std::move(token_.filter);
      node.source = DescribeFilter(*node.filter);
      CountWritten(token_.column);
      Advance();
      return node;
    }
    std::string field;
    if (token_.kind == Token::Kind::kField) {
      field = token_.text;
      Advance();
    }
    if (token_.kind == Token::Kind::kOpen) {
      const std::size_t open = token_.column;
      if (depth + 1 > kMaxQueryDepth) {
        throw QuerySyntaxError(
            open, "parentheses nested more than " + std::to_string(kMaxQueryDepth) + " deep");
      }
      Advance();
      QueryNode group = Query(depth + 1, true);
      Advance();  // ')'
      if (!field.empty()) RestrictToField(group, field);
      if (group.children.empty()) return std::nullopt;
      group.source = std::string(text_.substr(open - 1));
      return group;
    }
    if (token_.kind == Token::Kind::kWord) {
      Token word = token_;
      Advance();
      return Word(word, field);
    }
    if (token_.kind == Token::Kind::kPhrase) {
      Token phrase = token_;
      CountWritten(phrase.column);
      Advance();
      return Analyzed(phrase.text, field, phrase.slop, "\"" + phrase.text + "\"");
    }
    if (token_.kind == Token::Kind::kClose) {
      throw QuerySyntaxError(token_.column, "')' without a matching '('");
    }
    if (token_.kind == Token::Kind::kPlus || token_.kind == Token::Kind::kMinus) {
      throw QuerySyntaxError(token_.column, "'+' and '-' go before a clause, not inside AND/OR");
    }
    throw QuerySyntaxError(token_.column, "expected a word, a phrase or '('");
  }

  // Words and phrases through the index's analyzer: none, one term, or a
  // phrase (a word like "Trump–Putin" analyzes to two terms).
  std::optional<QueryNode> Analyzed(std::string_view text, const std::string& field,
                                    std::uint32_t slop, std::string source) {
    QueryNode node;
    node.source = std::move(source);
    parser_.analyzer_.Reset(text);
    Token_ token;
    std::uint32_t first = 0;
    while (parser_.analyzer_.Next(token)) {
      if (node.terms.empty()) first = token.position;
      node.terms.push_back(field.empty() ? token.term : FieldTerm(field, token.term));
      node.offsets.push_back(token.position - first);
    }
    if (node.terms.empty()) return std::nullopt;
    node.kind = node.terms.size() == 1 ? QueryNode::Kind::kTerm : QueryNode::Kind::kPhrase;
    node.slop = node.kind == QueryNode::Kind::kPhrase ? slop : 0;
    return node;
  }

  // Counts a word or phrase as the user wrote it (expansions are capped on
  // their own) and stops a query that holds too many.
  void CountWritten(std::size_t column) {
    if (++written_ > kMaxQueryTerms) {
      throw QuerySyntaxError(
          column, "a query holds at most " + std::to_string(kMaxQueryTerms) + " words and phrases");
    }
  }

  std::optional<QueryNode> Word(const Token& word, const std::string& field) {
    CountWritten(word.column);
    if (word.prefix) return Prefix(word, field);
    if (word.fuzzy >= 0) return Fuzzy(word, field);
    return Analyzed(word.text, field, 0, word.text);
  }

  // Prefixes match the index's terms, which are stemmed: "meet*" finds the
  // term "meet" (meeting, meetings) and "meeter"; the prefix itself is only
  // case-folded, never stemmed, so that it stays a prefix.
  std::optional<QueryNode> Prefix(const Token& word, const std::string& field) {
    Analyzer folding(AnalysisSettings{"none", {}});
    folding.Reset(word.text);
    Token_ token;
    std::string prefix;
    if (folding.Next(token)) prefix = token.term;
    if (prefix.empty() || folding.Next(token)) {
      throw QuerySyntaxError(word.column, "'*' goes after a single word");
    }
    if (!field.empty()) prefix = FieldTerm(field, prefix);
    std::vector<CollectionTerm> found = parser_.snapshot_.TermsWithPrefix(prefix);
    if (field.empty()) {
      std::erase_if(found, [](const CollectionTerm& term) { return IsFieldTerm(term.term); });
    }
    return Expansion(word, found, word.text + "*");
  }

  std::optional<QueryNode> Fuzzy(const Token& word, const std::string& field) {
    std::optional<QueryNode> analyzed = Analyzed(word.text, "", 0, word.text);
    if (!analyzed) return std::nullopt;
    if (analyzed->kind != QueryNode::Kind::kTerm) {
      throw QuerySyntaxError(word.column, "'~' goes after a single word");
    }
    const IndexSnapshot& snapshot = parser_.snapshot_;
    std::vector<std::string> terms;
    for (const auto& candidate :
         FuzzyTerms(snapshot, analyzed->terms[0], word.fuzzy, kMaxExpansions + 1)) {
      terms.push_back(field.empty() ? candidate.term : FieldTerm(field, candidate.term));
    }
    QueryNode group;
    group.source = word.text + "~" + std::to_string(word.fuzzy);
    for (const auto& term : terms) {
      if (snapshot.DocumentFrequency(term) == 0) continue;
      QueryNode leaf;
      leaf.kind = QueryNode::Kind::kTerm;
      leaf.terms = {term};
      leaf.offsets = {0};
      leaf.source = term;
      group.children.push_back(std::move(leaf));
    }
    if (group.children.size() > kMaxExpansions) {
      group.children.resize(kMaxExpansions);
      out_.warnings.push_back(group.source + " matches more than " +
                              std::to_string(kMaxExpansions) + " terms; searching the closest");
    }
    return group;
  }

  // A group of the expanded terms (found: in byte order), capped to the
  // most frequent, ties to the first in byte order, so that the same
  // collection expands the same way however it is segmented.
  QueryNode Expansion(const Token& word, std::vector<CollectionTerm>& found, std::string source) {
    QueryNode group;
    group.source = std::move(source);
    if (found.size() > kMaxExpansions) {
      std::partial_sort(found.begin(), found.begin() + kMaxExpansions, found.end(),
                        [](const CollectionTerm& a, const CollectionTerm& b) {
                          return a.document_frequency != b.document_frequency
                                     ? a.document_frequency > b.document_frequency
                                     : a.term < b.term;
                        });
      out_.warnings.push_back(group.source + " (column " + std::to_string(word.column) +
                              ") matches " + std::to_string(found.size()) +
                              " terms; searching the " + std::to_string(kMaxExpansions) +
                              " most frequent");
      found.resize(kMaxExpansions);
    }
    for (const CollectionTerm& expansion : found) {
      QueryNode leaf;
      leaf.kind = QueryNode::Kind::kTerm;
      leaf.terms = {std::string(expansion.term)};
      leaf.offsets = {0};
      leaf.source = leaf.terms[0];
      group.children.push_back(std::move(leaf));
    }
    return group;
  }

  static void RestrictToField(QueryNode& node, const std::string& field) {
    for (auto& term : node.terms) {
      if (!IsFieldTerm(term)) term = FieldTerm(field, term);
    }
    for (auto& child : node.children) RestrictToField(child, field);
  }

  using Token_ = fathom::Token;
  QueryTreeParser& parser_;
  std::string_view text_;
  Lexer lexer_;
  ParsedQuery& out_;
  QueryTreeParser::Token token_;
  std::size_t written_ = 0;
};

ParsedQuery QueryTreeParser::Parse(std::string_view text) {
  ParsedQuery parsed;
  Grammar grammar(*this, text, parsed);
  parsed.root = grammar.Query(0, false);
  return parsed;
}

namespace {

bool IsExactLeaf(const QueryNode& node) {
  return node.kind == QueryNode::Kind::kTerm ||
         (node.kind == QueryNode::Kind::kPhrase && node.slop == 0);
}

void CollectLeaves(const QueryNode& node, Query& out) {
  if (node.occur == Occur::kMustNot || node.kind == QueryNode::Kind::kFilter) return;
  if (node.kind != QueryNode::Kind::kGroup) {
    out.clauses.push_back(ClauseOf(node, Occur::kShould));
    return;
  }
  for (const auto& child : node.children) CollectLeaves(child, out);
}

}  // namespace

bool HasFilter(const QueryNode& node) {
  if (node.kind == QueryNode::Kind::kFilter) return true;
  return std::any_of(node.children.begin(), node.children.end(),
                     [](const QueryNode& child) { return HasFilter(child); });
}

QueryClause ClauseOf(const QueryNode& leaf, Occur occur) {
  QueryClause clause = QueryNode::Leaf(occur, leaf.terms, leaf.offsets);
  clause.weight = leaf.weight;
  clause.source = leaf.source;
  clause.slop = leaf.slop;
  clause.title = leaf.title;
  return clause;
}

const QueryNode& Unwrapped(const QueryNode& group) {
  const QueryNode* inner = &group;
  while (inner->children.size() == 1 && inner->children[0].occur == Occur::kShould &&
         inner->children[0].kind == QueryNode::Kind::kGroup) {
    inner = &inner->children[0];
  }
  return *inner;
}

bool Flatten(const QueryNode& root, Query& flat) {
  const QueryNode* group = &Unwrapped(root);
  flat.clauses.clear();
  for (const auto& child : group->children) {
    if (!IsExactLeaf(child)) return false;
    if (child.occur == Occur::kShould && child.kind == QueryNode::Kind::kTerm) {
      // A repeated optional word weighs more, as in a bag-of-words query.
      auto same = std::find_if(flat.clauses.begin(), flat.clauses.end(), [&](const QueryClause& c) {
        return c.occur == Occur::kShould && c.terms == child.terms;
      });
      if (same != flat.clauses.end()) {
        same->weight += child.weight;
        continue;
      }
    }
    flat.clauses.push_back(ClauseOf(child, child.occur));
  }
  return true;
}

QueryNode TreeOf(const Query& flat) {
  QueryNode root;
  for (const QueryClause& clause : flat.clauses) {
    root.children.push_back(ClauseOf(clause, clause.occur));
  }
  return root;
}

Query ParseFlatQuery(QueryTreeParser& parser, std::string_view text) {
  ParsedQuery parsed = parser.Parse(text);
  Query flat;
  if (!Flatten(parsed.root, flat)) {
    throw InputError("'" + std::string(text) +
                     "' is not a flat query (nesting or proximity): the flat evaluators cannot "
                     "take it");
  }
  flat.warnings = std::move(parsed.warnings);
  return flat;
}

Query Leaves(const QueryNode& root) {
  Query leaves;
  for (const auto& child : root.children) CollectLeaves(child, leaves);
  return leaves;
}

}  // namespace fathom
