// policy_internal.h - what the policy module's files share (see policy.h);
// not part of its interface.
#pragma once

#include <string>
#include <string_view>

#include "policy.h"

namespace rgw::policy::internal {

// ASCII lower case.
std::string lower(std::string_view s);

// Whether `text` matches `pattern`; with `escaped`, a backslash in the
// pattern makes the next character literal (expand()'s output).
bool match(std::string_view pattern, std::string_view text, bool ignore_case, bool escaped);

// Expands the policy variables of `pattern` (when `variables`) from the
// request's condition keys into *out, an escaped pattern for match(): the
// pattern's own `*` and `?` stay wildcards, substituted text is literal.
// False when a variable's key is absent (and has no default) or has several
// values.
bool expand(std::string_view pattern, const Request& request, bool variables, std::string* out);

// An escaped pattern without its escapes: the literal text it stands for
// when used for equality.
std::string unescape(std::string_view escaped);

// Fills c->op, c->set and c->if_exists from an operator name such as
// "ForAnyValue:StringLikeIfExists"; false when it is not one.
bool parse_operator(std::string_view name, Condition* c);

// Whether `value` is a valid policy value for the operator of `c`.
bool valid_value(const Condition& c, std::string_view value);

}  // namespace rgw::policy::internal
