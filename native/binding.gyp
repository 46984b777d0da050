{
  "targets": [
    {
      "target_name": "shadow_native",
      "sources": ["src/addon.cc", "src/spawn.cc", "src/child.cc", "src/stop.cc", "src/memory.cc", "src/watch.cc", "src/notify.cc", "src/tsc.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra"]
    }
  ]
}
