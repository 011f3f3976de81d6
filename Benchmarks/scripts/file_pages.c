// What mapping a CSV file costs: a read-only private mapping of the file touched a page at a time
// (faults; each maps a whole large folio of the page cache), against MADV_HUGEPAGE and
// MADV_POPULATE_READ (22) first. Three rounds; keep the file in the page cache while it runs:
//
//   cc -O2 Benchmarks/scripts/file_pages.c -o /tmp/file_pages
//   python ../shared/bench/pin.py /tmp/xo-data/sf1 -- /tmp/file_pages /tmp/xo-data/sf1/orders.csv
//
// Measured 2026-12-03 (622 MB): touching 0.038-0.040 s, populating 0.042 s, either with
// MADV_HUGEPAGE (no PMD mappings: FilePmdMapped stays 0). See DEVELOPERS.md.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  int fd=open(argv[1],O_RDONLY); struct stat st; fstat(fd,&st); size_t n=st.st_size;
  if(argc<2){fprintf(stderr,"usage: %s file\n",argv[0]);return 2;}
  for(int round=0;round<3;round++) for(int mode=0;mode<4;mode++){
    double t0=now();
    char*p=mmap(0,n,PROT_READ,MAP_PRIVATE,fd,0);
    if(mode==1||mode==3) madvise(p,n,MADV_HUGEPAGE);
    if(mode>=2) madvise(p,n,22);
    double t1=now();
    long s=0; for(size_t i=0;i<n;i+=4096) s+=p[i];
    double t2=now();
    char cmd[256]; 
    if(round==0){ snprintf(cmd,sizeof cmd,"grep -E 'FilePmdMapped' /proc/%d/smaps_rollup",getpid()); system(cmd);}
    munmap(p,n);
    double t3=now();
    printf("mode %d (%s): addr %% 2M = %lu, populate %.3f touch %.3f unmap %.3f total %.3f (%ld)\n",mode,
      mode==0?"plain":mode==1?"hugepage":mode==2?"populate":"hugepage+populate",(unsigned long)p%(2<<20),t1-t0,t2-t1,t3-t2,t3-t0,s);
  }
}
