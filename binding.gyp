{
  "variables": {
    # "address,undefined" when scripts/test-asan.sh builds the addon for the sanitizer run.
    "heddle_sanitize%": "<!(node -p \"process.env.HEDDLE_SANITIZE || ''\")"
  },
  "targets": [
    {
      "target_name": "heddle",
      "sources": ["<!@(node scripts/list-native-sources.mjs)"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "src-native"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++1y", "-fno-exceptions", "-O2"],
      "cflags": ["-O3", "-fvisibility=hidden"],
      "cflags_cc": ["-std=c++20", "-O3", "-fvisibility=hidden", "-fvisibility-inlines-hidden", "-fno-exceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++20",
        "GCC_OPTIMIZATION_LEVEL": "3",
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-fvisibility=hidden"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++20"], "Optimization": 2 }
      },
      "conditions": [
        ["heddle_sanitize!=''", {
          "cflags_cc": ["-fsanitize=<(heddle_sanitize)", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g", "-O1"],
          "cflags_cc!": ["-O3"],
          "ldflags": ["-fsanitize=<(heddle_sanitize)", "-shared-libsan"]
        }]
      ]
    }
  ]
}
