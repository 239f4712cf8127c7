# Cluster runs end to end (issue 18), included from tests/CMakeLists.txt so the
# folder's own CMakeLists.txt (the merge library's tests) stays its owner's.
# cluster_e2e*: the real `fiokit serve` as coordinator on 127.0.0.1 and three
# real `fiokit run --coordinator` members as processes (e2e.py: run, kill,
# restart; container: the images' entrypoints and env contract as
# processes). cluster_podman (LABELS podman): the same with the serve image as
# coordinator and three tool-image containers on a podman network; opt-in with
# FIOKIT_PODMAN_E2E=1 like podman_e2e; it exits 77 with the reason when it
# cannot run (no podman, not root). The loopback ones never skip.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME cluster_e2e COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/e2e.py run $<TARGET_FILE:fiokit>)
  add_test(NAME cluster_e2e_kill COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/e2e.py kill $<TARGET_FILE:fiokit>)
  add_test(NAME cluster_e2e_restart COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/e2e.py restart $<TARGET_FILE:fiokit>)
  add_test(NAME cluster_e2e_container COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/e2e.py container $<TARGET_FILE:fiokit>)
  set_tests_properties(cluster_e2e cluster_e2e_kill cluster_e2e_restart cluster_e2e_container PROPERTIES TIMEOUT 90)
endif()
if(Python3_Interpreter_FOUND)
  add_test(NAME cluster_podman COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/e2e_podman.py --ctest)
  set_tests_properties(cluster_podman PROPERTIES LABELS podman SKIP_RETURN_CODE 77 TIMEOUT 3600)
endif()
