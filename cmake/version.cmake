# Writes OUTPUT with TETRARS_VERSION: `git describe --tags --dirty` when the
# source is a git checkout with a tag, <project version>-g<hash> in a checkout
# without tags, and the bare project version in a tarball without git.
set(version "${PROJECT_VERSION}")
find_program(GIT git)
if(GIT AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} describe --tags --dirty
                  OUTPUT_VARIABLE described RESULT_VARIABLE rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0 AND described)
    set(version "${described}")
  else()
    execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} describe --always --dirty
                    OUTPUT_VARIABLE hash RESULT_VARIABLE rc
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(rc EQUAL 0 AND hash)
      set(version "${PROJECT_VERSION}-g${hash}")
    endif()
  endif()
endif()
set(content "#pragma once\n#define TETRARS_VERSION \"${version}\"\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE "${OUTPUT}" "${content}")
endif()
