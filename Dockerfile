# kumihan on Debian 12 slim, for CI systems that run containers:
#   docker build -t kumihan .
#   mkdir -p out && docker run --rm -v "$PWD:/work" kumihan --werror -d out content/*/
# The first stage builds and installs (no tests); the second holds
# the installed program, its layouts and fonts, and the run-time libraries.
FROM debian:12-slim AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      cmake gcc make pkg-config zlib1g-dev libharfbuzz-dev libfreetype-dev \
      libfontconfig-dev libicu-dev libmd4c-dev libyaml-dev libhpdf-dev libpng-dev \
      libdeflate-dev libhyphen-dev hyphen-en-us libstdc++-12-dev \
    && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt kumihan.pc.in /src/
COPY cmake /src/cmake
COPY include /src/include
COPY src /src/src
COPY layout /src/layout
COPY fonts /src/fonts
COPY man /src/man
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release -DKH_TESTS=OFF \
    && cmake --build /build -j "$(nproc)" \
    && cmake --install /build --prefix /opt/kumihan

FROM debian:12-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      libharfbuzz0b libharfbuzz-subset0 libfreetype6 libfontconfig1 libicu72 \
      libmd4c0 libyaml-0-2 libhpdf-2.3.0 zlib1g libpng16-16 libdeflate0 \
      libhyphen0 hyphen-en-us \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/kumihan /opt/kumihan
ENV PATH=/opt/kumihan/bin:$PATH
WORKDIR /work
ENTRYPOINT ["kumihan"]
CMD ["--help"]
