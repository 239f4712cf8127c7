# The cluster merge (issue 18): results/cluster_merge on real fiokit results,
# `fiokit merge` end to end, a merged run dir served by the real server
# (CTest cluster_merge), and merges of real fio 3.33 json+ outputs checked
# against percentiles the test recomputes from the summed bins
# (cluster_merge_fio, LABELS fio, skip 77 without fio). Included from
# tests/CMakeLists.txt, so paths are relative to this file.
add_executable(test_cluster_merge
  ${CMAKE_CURRENT_LIST_DIR}/test_merge.cpp ${CMAKE_CURRENT_LIST_DIR}/test_merge_cli.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_merge_fio.cpp ${PROJECT_SOURCE_DIR}/tests/cli/subprocess.cpp)
target_include_directories(test_cluster_merge PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
target_link_libraries(test_cluster_merge PRIVATE fiokit_serve fiokit_results fiokit_catch_main
  nlohmann_json::nlohmann_json fiokit_warnings)
target_compile_definitions(test_cluster_merge PRIVATE FIOKIT_BIN="$<TARGET_FILE:fiokit>")
add_dependencies(test_cluster_merge fiokit)
add_test(NAME cluster_merge COMMAND test_cluster_merge "~[fio]")
fiokit_add_fio_cases(cluster_merge_fio test_cluster_merge)
