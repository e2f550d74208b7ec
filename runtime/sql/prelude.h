// The helper functions each dialect's script starts with ({S} stands for the schema).
#pragma once

namespace policy::sql {

extern const char* const kPostgresPrelude;

}  // namespace policy::sql
